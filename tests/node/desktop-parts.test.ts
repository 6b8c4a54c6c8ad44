// The desktop machine's parts, one at a time: its secrets, the network switch, the virtual pins,
// the screen host's frames, and the soak's money-rule checker (which must catch what it is for).
import assert from 'node:assert/strict';
import { TransportError } from 'epayment/errors';
import type { HttpRequest, HttpResponse, HttpTransport } from 'epayment/http-transport';
import { MemoryStore } from 'journal/memory-store';
import { validateMachineConfig } from 'app/config/validate';
import { checkPin } from 'app/sale/service-mode';
import type { MachineView } from 'app/sale/view';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { Display, loadScreenFonts } from '../../hosts/node/display';
import { Framebuffer } from '../../hosts/node/framebuffer';
import { lanAddress } from '../../hosts/node/desktop/desktop';
import { NetworkSwitch } from '../../hosts/node/desktop/network-switch';
import { pasteBox, ScreenHost } from '../../hosts/node/desktop/screen-host';
import { credentialsFrom, DEFAULT_DESKTOP_PIN, DesktopSecrets } from '../../hosts/node/desktop/secrets';
import { VirtualPins } from '../../hosts/node/desktop/virtual-pins';
import { systemClock } from '../../hosts/node/system-clock';
import { DEFAULT_CREDENTIALS, type PaymentRecord } from '../../tools/emulator/index';
import { checkPayment } from '../../tools/soak/money-rules';
import type { PulseRecord } from '../../hosts/node/desktop/machine-supervisor';

describe('desktop secrets', () => {
  it('stores the default desktop PIN salted and hashed, and keeps a PIN changed in service mode across boots', () => {
    const store = new MemoryStore();
    const first = new DesktopSecrets(store, 'http://127.0.0.1:1', DEFAULT_CREDENTIALS, undefined);
    assert.ok(checkPin(DEFAULT_DESKTOP_PIN, first.pinHash()));
    assert.ok(!first.pinHash().includes(DEFAULT_DESKTOP_PIN));
    first.setPinHash(new DesktopSecrets(new MemoryStore(), '', undefined, '97531864').pinHash());
    const second = new DesktopSecrets(store, 'http://127.0.0.1:1', DEFAULT_CREDENTIALS, undefined);
    assert.ok(checkPin('97531864', second.pinHash()));
    assert.ok(!checkPin(DEFAULT_DESKTOP_PIN, second.pinHash()));
  });

  it('takes DESKTOP_SERVICE_PIN over the stored one, and refuses a short PIN', () => {
    const store = new MemoryStore();
    new DesktopSecrets(store, '', undefined, undefined);
    const secrets = new DesktopSecrets(store, '', undefined, '24682468');
    assert.ok(checkPin('24682468', secrets.pinHash()));
    assert.ok(!checkPin(DEFAULT_DESKTOP_PIN, secrets.pinHash()));
    assert.throws(() => new DesktopSecrets(new MemoryStore(), '', undefined, '1234'), /6-12 digits/);
  });

  it('credentials: the emulator defaults only for the built-in emulator; elsewhere every variable is required', () => {
    assert.deepEqual(credentialsFrom({}, true), DEFAULT_CREDENTIALS);
    assert.equal(credentialsFrom({}, false), undefined);
    const env = { EPAYMENT_CLIENT_ID: 'id', EPAYMENT_CLIENT_SECRET: 's3cret-value', EPAYMENT_SUBSCRIPTION_KEY: 'key-value', EPAYMENT_MSN: '654321' };
    assert.deepEqual(credentialsFrom(env, false), { clientId: 'id', clientSecret: 's3cret-value', subscriptionKey: 'key-value', merchantSerialNumber: '654321' });
    assert.equal(credentialsFrom({ ...env, EPAYMENT_MSN: '' }, false), undefined);
  });

  it('never shows a secret when serialised', () => {
    const secrets = new DesktopSecrets(new MemoryStore(), 'https://apitest.vipps.no', { ...DEFAULT_CREDENTIALS, clientSecret: 'very-secret-1', subscriptionKey: 'very-secret-2' }, undefined);
    const text = JSON.stringify(secrets);
    assert.ok(!text.includes('very-secret'));
    assert.deepEqual(secrets.secretValues().sort(), ['very-secret-1', 'very-secret-2']);
  });
});

describe('desktop --host', () => {
  it('a listen address is used as it is; on a wildcard address the QR carries one of this machine\'s IPv4 addresses', () => {
    assert.equal(lanAddress('192.168.1.20'), '192.168.1.20');
    const own = Object.values(networkInterfaces()).flat().filter((a) => a && !a.internal && a.family === 'IPv4').map((a) => a!.address);
    assert.equal(lanAddress('0.0.0.0'), own[0] ?? '127.0.0.1');
  });
});

describe('desktop network switch', () => {
  /** Answers after `ms`, as a server on the other end would. */
  class SlowTransport implements HttpTransport {
    calls = 0;
    constructor(private readonly ms: number) {}
    request(_request: HttpRequest): Promise<HttpResponse> {
      this.calls++;
      return new Promise((resolve) => setTimeout(() => resolve({ status: 200, headers: {}, body: '{}' }), this.ms));
    }
  }
  const request: HttpRequest = { method: 'GET', url: 'http://127.0.0.1:1/x', headers: {}, timeoutMs: 1000, maxResponseBytes: 1000 };

  it('passes requests while up, refuses new ones while down without reaching the wire', async () => {
    const inner = new SlowTransport(5);
    const network = new NetworkSwitch(inner);
    assert.equal((await network.request(request)).status, 200);
    network.set(false);
    await assert.rejects(network.request(request), (error: unknown) => error instanceof TransportError && error.kind === 'network');
    assert.equal(inner.calls, 1);
    network.set(true);
    assert.equal((await network.request(request)).status, 200);
  });

  it('breaks a request in flight when the cable is pulled: its answer is lost', async () => {
    const network = new NetworkSwitch(new SlowTransport(100));
    const pending = network.request(request);
    setTimeout(() => network.set(false), 10);
    await assert.rejects(pending, /network went down/);
  });
});

describe('desktop virtual pins', () => {
  it('an output reports active at the start and inactive after exactly its pulse', async () => {
    const events: { pin: number; active: boolean; at: number }[] = [];
    const pins = new VirtualPins(systemClock, { output: (pin, active) => events.push({ pin, active, at: performance.now() }), drop: () => {} });
    const output = pins.output({ pin: 26, activeLow: false });
    assert.equal(pins.isActive(26), false);
    const pulse = output.pulse(120);
    assert.equal(pins.isActive(26), true);
    await assert.rejects(output.pulse(10), /already pulsing/);
    await pulse;
    assert.deepEqual(events.map((e) => e.active), [true, false]);
    const length = events[1]!.at - events[0]!.at;
    assert.ok(length >= 115 && length < 200, `pulse lasted ${length} ms`);
    assert.equal(pins.isActive(26), false);
  });

  it('a drop sensor sees the drop unless its switch is off; then it waits out the timeout', async () => {
    const drops: boolean[] = [];
    const pins = new VirtualPins(systemClock, { output: () => {}, drop: (_pin, seen) => drops.push(seen) }, { 35: true });
    const sensor = pins.input({ pin: 35, mode: 'edge', activeLow: true });
    assert.equal(await sensor.waitForDrop(3000), true);
    pins.setSensor(35, false);
    const started = Date.now();
    assert.equal(await sensor.waitForDrop(150), false);
    assert.ok(Date.now() - started >= 140);
    assert.deepEqual(drops, [true, false]);
  });

  it('a sensor stuck active reads active and sees no drop, until unstuck', async () => {
    const pins = new VirtualPins(systemClock, { output: () => {}, drop: () => {} }, { 35: true }, [35]);
    const sensor = pins.input({ pin: 35, mode: 'level', activeLow: true });
    assert.equal(sensor.isActive(), true);
    assert.equal(await sensor.waitForDrop(100), false);
    pins.setStuck(35, false);
    assert.equal(sensor.isActive(), false);
    assert.equal(await sensor.waitForDrop(1000), true);
  });
});

describe('desktop screen host', () => {
  const config = validateMachineConfig(JSON.parse(readFileSync('config/sample-machine.json', 'utf8')));
  const fonts = loadScreenFonts();
  const products = config.catalog.map((p) => ({ id: p.id, price: p.price, soldOut: false }));
  let view: MachineView = { language: 'en', testMode: true, sale: { screen: 'idle', page: 0, pages: 2 }, products };

  it('sends the whole screen first, then only what changed, and a mirror built from the frames equals the framebuffer', () => {
    const frames: { boxes: { x: number; y: number; width: number; height: number }[]; pixels: Uint8Array[] }[] = [];
    const framebuffer = new Framebuffer(240, 320);
    const now = 1_700_000_000_000;
    const host = new ScreenHost(new Display(framebuffer, fonts), { config, fonts: fonts.book }, () => view, () => now, (boxes, pixels) => frames.push({ boxes, pixels }));
    host.render();
    assert.deepEqual(frames[0]!.boxes, [{ x: 0, y: 0, width: 240, height: 320 }]);
    assert.equal(host.render().length, 0, 'nothing changed: nothing sent');
    assert.equal(frames.length, 1);
    const select = host.touch(120, 65, 0);
    assert.deepEqual(select, { type: 'select', product: 'water' });
    view = { ...view, sale: { screen: 'payment', product: 'water', reference: 'test-vend-1-abcdef', redirectUrl: 'http://127.0.0.1:9/emulator/pay/abc', expiresAt: now + 600_000, cancelling: false } };
    host.render();
    assert.ok(host.tapToQrMs !== undefined && host.tapToQrMs >= 0);
    const mirror = new Uint8Array(240 * 320 * 2);
    for (const frame of frames) frame.boxes.forEach((box, i) => pasteBox(mirror, 240, box, frame.pixels[i]!));
    assert.deepEqual(mirror, framebuffer.bytes);
    assert.ok(host.targets.some((t) => t.action.type === 'cancel'));
  });
});

describe('soak money rules', () => {
  const amount = { currency: 'NOK', value: 3500 };
  const zero = { currency: 'NOK', value: 0 };
  function payment(state: PaymentRecord['state'], authorized: number, captured: number, cancelled: number, captures = captured > 0 ? 1 : 0): PaymentRecord {
    return {
      reference: 'ref-1', state, amount,
      aggregate: { authorizedAmount: { ...zero, value: authorized }, capturedAmount: { ...zero, value: captured }, cancelledAmount: { ...zero, value: cancelled }, refundedAmount: zero },
      events: Array.from({ length: captures }, () => ({ name: 'CAPTURED' as const, success: true, amount, timestamp: '', pspReference: '' })),
      request: {}, createdAt: 0, expiresAt: 0, token: 't', targetUrl: '', customerAuthorizing: false,
    };
  }
  const pulse = (extra: Partial<PulseRecord> = {}): PulseRecord => ({ pin: 26, at: 1000, ms: 300, endedAt: 1300, reference: 'ref-1', ...extra });
  const idle = { pending: new Map<string, string>() };
  const rules = (p: PaymentRecord, pulses: PulseRecord[], machine = idle, cuts: number[] = [], settled = false) => checkPayment(p, pulses, machine, cuts, settled).map((v) => v.rule);

  it('a released and captured sale, and a cancelled one, are clean', () => {
    assert.deepEqual(rules(payment('AUTHORIZED', 3500, 3500, 0), [pulse()]), []);
    assert.deepEqual(rules(payment('TERMINATED', 3500, 0, 3500), [], idle, [], true), []);
    assert.deepEqual(rules(payment('AUTHORIZED', 3500, 0, 0), [pulse()], { pending: new Map([['ref-1', 'capture']]) }), []);
  });

  it('catches a capture without a release, a capture after a missed drop, and two captures', () => {
    assert.deepEqual(rules(payment('AUTHORIZED', 3500, 3500, 0), []), ['capture-without-release']);
    assert.deepEqual(rules(payment('AUTHORIZED', 3500, 3500, 0), [pulse({ dropSeen: false })]), ['capture-after-failed-release']);
    assert.deepEqual(rules(payment('AUTHORIZED', 3500, 3500, 0, 2), [pulse()]), ['double-capture']);
  });

  it('catches money left reserved with nothing pending, and a payable QR nobody watches', () => {
    assert.deepEqual(rules(payment('AUTHORIZED', 3500, 0, 0), []), ['reserved-unsettled']);
    assert.deepEqual(rules(payment('AUTHORIZED', 3500, 0, 0), [], { pending: new Map([['ref-1', 'cancel']]) }), []);
    assert.deepEqual(rules(payment('AUTHORIZED', 3500, 0, 0), [], { pending: new Map([['ref-1', 'cancel']]) }, [], true), ['reserved-unsettled']);
    assert.deepEqual(rules(payment('CREATED', 0, 0, 0), []), ['created-unwatched']);
  });

  it('a confirmed release must be captured; one cut short by the power may end either way', () => {
    assert.deepEqual(rules(payment('AUTHORIZED', 3500, 0, 3500), [pulse()]), ['release-not-captured']);
    assert.deepEqual(rules(payment('AUTHORIZED', 3500, 0, 3500), [pulse()], idle, [1200]), []);
    assert.deepEqual(rules(payment('AUTHORIZED', 3500, 0, 3500), [pulse({ endedAt: undefined })]), []);
    assert.deepEqual(rules(payment('AUTHORIZED', 3500, 0, 3500), [pulse({ dropSeen: false })]), []);
  });
});
