// The desktop machine's automation API, route by route, against the real thing: the machine in its
// own process, the page's server, the built-in emulator.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { DesktopClient } from '../../hosts/node/desktop/api-client';
import { startDesktop, type Desktop } from '../../hosts/node/desktop/desktop';
import { DEFAULT_DESKTOP_PIN } from '../../hosts/node/desktop/secrets';

const SECRET = 'desk-client-secret-5f2a9c';
const KEY = 'desk-subscription-key-81be07';

describe('desktop machine: automation API', function () {
  this.timeout(60_000);
  let stateDir: string;
  let desktop: Desktop;
  let client: DesktopClient;
  const logged: string[] = [];

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'desktop-api-'));
    const env: NodeJS.ProcessEnv = { ...process.env, EPAYMENT_CLIENT_SECRET: SECRET, EPAYMENT_SUBSCRIPTION_KEY: KEY };
    delete env.EPAYMENT_BASE_URL;
    delete env.DESKTOP_SERVICE_PIN;
    desktop = await startDesktop({ port: 0, stateDir, fast: true, env, offMs: 200, onLog: (line) => logged.push(line.message) });
    client = new DesktopClient(desktop.pageUrl);
    await client.waitFor((s) => s.state === 'idle' && s.inService, 20_000, 'idle');
  });

  after(async () => {
    client?.close();
    await desktop?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const raw = (path: string, init?: RequestInit) => fetch(new URL(path, desktop.pageUrl), init);
  const postRaw = (path: string, body: string) => raw(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('GET / serves the page; GET /state tells the machine, its outputs, sensors and the emulator', async () => {
    const page = await raw('/');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /id="screen-large"/);
    const state = await client.state();
    assert.equal(state.power, 'on');
    assert.equal(state.state, 'idle');
    assert.equal(state.inService, true);
    assert.equal(state.network, true);
    assert.deepEqual(state.outputs.map((o) => o.pin), desktop.config!.catalog.map((p) => p.output.pin));
    assert.deepEqual(state.sensors.map((s) => [s.product, s.drop]), [['cola', true]]);
    assert.equal(state.emulator?.baseUrl, desktop.baseUrl);
    assert.ok(state.machine.pid && state.machine.pid !== process.pid, 'the machine runs in a process of its own');
    assert.ok(state.targets.some((t) => t.action.type === 'select'));
  });

  it('GET /screen.png is the 240x320 framebuffer as the device draws it', async () => {
    const response = await raw('/screen.png');
    assert.equal(response.headers.get('content-type'), 'image/png');
    const png = PNG.sync.read(Buffer.from(await response.arrayBuffer()));
    assert.equal(png.width, 240);
    assert.equal(png.height, 320);
    // The header's brand colour, byte for byte what the framebuffer holds.
    const fb = desktop.supervisor.framebuffer.toRgba();
    assert.deepEqual(png.data.subarray(0, 4 * 240 * 10), Buffer.from(fb.buffer, 0, 4 * 240 * 10));
    assert.notDeepEqual([png.data[0], png.data[1], png.data[2]], [0, 0, 0]);
  });

  it('POST /touch checks its body, and a tap on nothing does nothing', async () => {
    assert.equal((await postRaw('/touch', '{"x": 240, "y": 10}')).status, 400);
    assert.equal((await postRaw('/touch', '{"x": 10, "y": -1}')).status, 400);
    assert.equal((await postRaw('/touch', '{"x": 10, "y": 10, "holdMs": "long"}')).status, 400);
    assert.equal((await postRaw('/touch', 'not json')).status, 400);
    assert.equal((await raw('/nowhere')).status, 404);
    assert.equal(await client.touch(0, 0), null, 'a short tap on the service corner is nothing');
  });

  it('a long press on the service corner opens the PIN screen; the desktop PIN opens the menu', async () => {
    await client.waitFor((s) => s.state === 'idle', 5000);
    const action = await client.touch(10, 10, 3000);
    assert.deepEqual(action, { type: 'service' });
    await client.waitFor((s) => s.state === 'service-pin', 5000, 'the PIN screen');
    for (const digit of DEFAULT_DESKTOP_PIN) {
      await client.tap((a) => a.type === 'pin-digit' && a.digit === Number(digit), `digit ${digit}`);
    }
    await client.tap((a) => a.type === 'pin-enter', 'Enter');
    await client.waitFor((s) => s.state === 'service-menu', 5000, 'the service menu');
    await client.tap((a) => a.type === 'back' || (a.type === 'menu' && a.item === 'exit'), 'exit');
    await client.waitFor((s) => s.state === 'idle', 5000, 'idle again');
  });

  it('POST /sensor refuses products without a sensor and sets the switch of one that has one', async () => {
    assert.equal((await postRaw('/sensor', '{"product": "water", "drop": false}')).status, 400);
    assert.equal((await postRaw('/sensor', '{"product": "cola", "drop": "no"}')).status, 400);
    await client.sensor('cola', false);
    assert.equal((await client.state()).sensors[0]!.drop, false);
    await client.sensor('cola', true);
    assert.equal((await client.state()).sensors[0]!.drop, true);
  });

  it('POST /network takes the machine out of service and back', async () => {
    assert.equal((await postRaw('/network', '{"up": "down"}')).status, 400);
    await client.network(false);
    const down = await client.waitFor((s) => s.outOfService === 'network', 5000, 'out of service: network');
    assert.equal(down.network, false);
    assert.equal(down.state, 'out-of-service');
    await client.network(true);
    await client.waitFor((s) => s.inService && s.state === 'idle', 10_000, 'in service again');
  });

  it('a sale through the API: touch, /state shows the payment, the pulse with its reference, /sales the capture', async () => {
    await client.waitFor((s) => s.state === 'idle' && s.inService, 10_000);
    const action = await client.tap((a) => a.type === 'select' && a.product === 'chocolate', 'chocolate');
    assert.deepEqual(action, { type: 'select', product: 'chocolate' });
    const shown = await client.waitFor((s) => s.state === 'payment', 10_000, 'the QR');
    const reference = shown.payment!.reference;
    assert.equal(shown.reference, reference);
    assert.match(shown.payment!.redirectUrl, /\/emulator\/pay\//);
    assert.equal(shown.journal?.openSale?.reference, reference);
    assert.equal((await raw('/customer', { method: 'POST', body: '{"action": "approve"}' })).status, 200);
    const pulsed = await client.waitFor((s) => s.pulses.some((p) => p.reference === reference && p.endedAt !== undefined), 10_000, 'the pulse');
    const pulse = pulsed.pulses.find((p) => p.reference === reference)!;
    assert.equal(pulse.product, 'chocolate');
    assert.equal(pulse.pin, 32);
    assert.ok(pulse.endedAt! - pulse.at >= 240 && pulse.endedAt! - pulse.at < 400, `lit for ${pulse.endedAt! - pulse.at} ms of 250`);
    await client.waitFor((s) => s.state === 'thank-you', 10_000, 'thank you');
    const sales = await client.sales();
    assert.deepEqual(sales.at(-1), { ...sales.at(-1)!, reference, product: 'chocolate', amount: 2900, outcome: 'captured' });
    assert.equal(desktop.emulator!.payment(reference)!.aggregate.capturedAmount.value, 2900);
  });

  it('POST /customer says when there is no payment to approve', async () => {
    await client.waitFor((s) => s.state === 'idle', 10_000);
    assert.equal((await raw('/customer', { method: 'POST', body: '{"action": "approve"}' })).status, 409);
    assert.equal((await raw('/customer', { method: 'POST', body: '{"action": "pay"}' })).status, 400);
  });

  it('GET /events pushes the state first, then frames', async () => {
    const abort = new AbortController();
    const response = await raw('/events', { signal: abort.signal });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    while (!/event: frame/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    assert.match(text, /^retry: \d+\nevent: state\ndata: \{/);
    const state = JSON.parse(/^data: (.*)$/m.exec(text)![1]!);
    assert.equal(state.power, 'on');
  });

  it('POST /power-cycle kills the machine process; it is off (503), then boots again as a new process', async () => {
    const before = await client.state();
    const salesBefore = await client.sales();
    const answer = await client.post<{ power: string; powerCuts: number }>('/power-cycle', { offMs: 300 });
    assert.equal(answer.power, 'off');
    assert.equal((await postRaw('/touch', '{"x": 10, "y": 10}')).status, 503);
    assert.equal((await raw('/sales')).status, 503);
    const black = PNG.sync.read(Buffer.from(await (await raw('/screen.png')).arrayBuffer()));
    assert.ok(black.data.every((value, i) => (i % 4 === 3 ? value === 255 : value === 0)), 'the screen is dark while the power is off');
    const after = await client.waitFor((s) => s.power === 'on' && s.state === 'idle', 20_000, 'the reboot');
    assert.equal(after.boots, before.boots + 1);
    assert.equal(after.powerCuts, before.powerCuts + 1);
    assert.notEqual(after.machine.pid, before.machine.pid);
    assert.deepEqual(await client.sales(), salesBefore, 'the sales log is in the journal: it survives the cut');
  });

  it('no secret appears in /state, /sales, the event stream or the log', async () => {
    const abort = new AbortController();
    const reader = (await raw('/events', { signal: abort.signal })).body!.getReader();
    let stream = '';
    while (!/event: frame/.test(stream)) stream += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    const texts = [JSON.stringify(await client.state()), JSON.stringify(await client.sales()), stream, logged.join('\n'), JSON.stringify(desktop.supervisor.log)];
    assert.ok(logged.length > 5);
    for (const text of texts) {
      assert.ok(!text.includes(SECRET), 'client secret leaked');
      assert.ok(!text.includes(KEY), 'subscription key leaked');
      assert.ok(!/Bearer\s+\S{20,}/.test(text), 'a token leaked');
    }
  });
});
