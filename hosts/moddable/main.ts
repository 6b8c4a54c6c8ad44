// The vending machine on the device and in the Moddable simulator: the controller (app/sale/machine)
// with every port on Moddable APIs. Boot order matters:
//  1. the machine configuration and the journal are read from Preference, and the controller is
//     made: it creates every output first, driven to its inactive level;
//  2. the screen, touch and the watchdog;
//  3. Wi-Fi and SNTP in the background (out of service until both are there: no request leaves
//     before the clock is set, because TLS checks certificate dates);
//  4. start(): boot-time recovery of an open sale, then the token and the idle screen;
//  5. the provisioning console on the serial line;
//  6. the fleet link, when provisioned (`set fleet …`), once the network and the clock are up.
// Platform differences (Wi-Fi, SNTP, serial, pins, the test driver) are chosen by the manifest,
// which maps the same module names to hosts/moddable/*.ts on the ESP32 and sim/*.ts or stand-ins
// in the simulator. Settings (mc/config, strings): see the README's firmware section.
import config from 'mc/config';
import Resource from 'Resource';
import Timer from 'timer';
import type {} from 'commodetto/Poco'; // declares the `screen` global
import { EpaymentClient } from 'epayment/client';
import { isProductionBaseUrl } from 'epayment/base-url';
import { TransportError } from 'epayment/errors';
import type { HttpRequest, HttpResponse, HttpTransport } from 'epayment/http-transport';
import type { Pins } from 'ports/io';
import type { Log } from 'ports/log';
import type { QrMatrix } from 'qr/matrix';
import type { MachineConfig } from 'app/config/machine-config';
import { FAST_TIMING, VendingMachine } from 'app/sale/machine';
import { moddableClock } from 'hosts/moddable/clock';
import { loadMachineConfig } from 'hosts/moddable/config';
import { StoredConfig } from 'hosts/moddable/stored-config';
import { PocoDisplay } from 'hosts/moddable/display';
import { loadDeviceFonts } from 'hosts/moddable/fonts';
import { ModdableHttpTransport } from 'hosts/moddable/http-transport';
import { startNetwork } from 'hosts/moddable/network';
import { ntpServers } from 'hosts/moddable/time-servers';
import { outputProblems, pins as devicePins } from 'hosts/moddable/pins';
import { ProvisioningConsole } from 'hosts/moddable/provision';
import { moddableRandom } from 'hosts/moddable/random';
import { ScreenLoop } from 'hosts/moddable/screen-loop';
import { buildTestCredentials, PreferenceSecrets } from 'hosts/moddable/secrets';
import { startSerialLines } from 'hosts/moddable/serial-lines';
import { startClockSync } from 'hosts/moddable/sntp';
import { DEFAULT_DOMAIN, PreferenceStore } from 'hosts/moddable/store';
import { startTestDriver } from 'hosts/moddable/test-driver';
import { startTouch } from 'hosts/moddable/touch';
import { DEFAULT_STALL_MS, Watchdog } from 'hosts/moddable/watchdog';
import { makeDeviceFleetLink } from 'hosts/moddable/fleet-wiring';
import type { FleetLink } from 'fleet/link';
import { releaseProblem } from 'hosts/moddable/release-settings';

const settings = config as Record<string, unknown>;
const setting = (name: string): string | undefined => {
  const value = settings[name];
  return value === undefined || value === '' ? undefined : String(value);
};
const flag = (name: string): boolean => ['1', 'true', 'yes'].includes(setting(name) ?? '');

/** Release builds (`release=1`, set by npm run build:esp32 -- --release): warnings and errors only. */
const RELEASE = flag('release');
/** A release build with a test setting in it (the build tools refuse one; this is the guard for any other way in). */
const RELEASE_PROBLEM = RELEASE ? releaseProblem(settings) : undefined;

/** Draws the out-of-service screen when the configuration itself is unusable. */
const UNCONFIGURED: MachineConfig = {
  posId: 'unconfigured', languages: ['en'], currency: 'NOK', brand: 'Vipps', timeZoneOffsetMinutes: 0, qrTimeLimitSeconds: 600,
  idleTimeoutSeconds: 60, walkAwayTimeoutSeconds: 180, createDeadlineMs: 8000, operatorContact: '', catalog: [],
};

/** Log lines as traces; a known secret value is blanked as a last guard (the core never logs one). */
function traceLog(secrets: () => string[]): Log {
  const line = (level: string, message: string) => {
    let clean = message;
    for (const secret of secrets()) if (clean.includes(secret)) clean = clean.split(secret).join('***');
    trace(`log ${level} ${clean}\n`);
  };
  return {
    info: (message) => { if (!RELEASE) line('info', message); },
    warn: (message) => line('warn', message),
    error: (message) => line('error', message),
  };
}

// 1. Storage, configuration, secrets; then the controller, which drives every output inactive.
const domain = setting('domain') ?? DEFAULT_DOMAIN;
const journalStore = new PreferenceStore({ domain });
const secrets = new PreferenceSecrets(new PreferenceStore({ domain: `${domain}-sec` }), buildTestCredentials(settings));
const storedConfig = new StoredConfig(new PreferenceStore({ domain: `${domain}-cfg` }));
const loaded = loadMachineConfig(storedConfig);
let secretValues: string[] = [];
const log = traceLog(() => secretValues);
if (RELEASE_PROBLEM) log.error(`${RELEASE_PROBLEM}: out of service until it is rebuilt without them`);
if (loaded.problem) log.error(`configuration (${loaded.source}): ${loaded.problem}`);
const credentials = secrets.credentials();
const fleetCredentials = RELEASE_PROBLEM ? undefined : secrets.fleet();
secretValues = [credentials?.clientSecret, credentials?.subscriptionKey, secrets.wifi().password, fleetCredentials?.password, fleetCredentials?.key].filter((value): value is string => value !== undefined && value.length >= 4);
const baseUrl = secrets.baseUrl()?.replace(/\/+$/, '');

let online = false;
let clockSet = false;
let progress = () => {};
let exchanged = () => {};

// The emulator's root certificate is in simulator builds only (the manifest bundles it there).
const emulatorRoot = Resource.exists('root-ca.der') ? new Resource('root-ca.der') : undefined;
/** The DNS servers DHCP gave with the last address (none in the simulator: the provider's then). */
let dhcpDns: string[] | undefined;
const https = new ModdableHttpTransport({ ...(emulatorRoot ? { certificate: emulatorRoot } : {}), dnsServers: () => dhcpDns });

/** No request leaves without a network and a set clock: it would fail anyway, after a DNS wait or a handshake. */
const transport: HttpTransport = {
  request(request: HttpRequest): Promise<HttpResponse> {
    if (!online || !clockSet) return Promise.reject(new TransportError('network', `${request.method}: ${online ? 'the clock is not set' : 'no network'}`));
    const settle = () => { progress(); exchanged(); };
    const pending = https.request(request);
    pending.then(settle, settle);
    return pending;
  },
};

const api = credentials && baseUrl ? new EpaymentClient({ baseUrl, credentials, log }, transport, moddableClock) : undefined;
if (!credentials) log.error(`no API credentials: provision them on the serial console (set clientId, secret, key, msn)`);

let hangPulses = false;
/** The device's pins, told to the watchdog (a pulse is progress); the test driver can make a pulse hang. */
const pins: Pins = {
  output(spec) {
    const output = devicePins.output(spec);
    return {
      pin: output.pin,
      pulse(durationMs: number) {
        progress();
        if (hangPulses) {
          trace(`test hang pulse ${output.pin}\n`);
          return new Promise<void>(() => {});
        }
        const done = output.pulse(durationMs);
        done.then(progress, progress);
        return done;
      },
    };
  },
  input: (spec) => devicePins.input(spec),
};

const testTiming = !RELEASE_PROBLEM && flag('testTiming');
const machine = new VendingMachine({
  config: loaded.raw,
  api,
  store: journalStore,
  clock: moddableClock,
  wallTime: () => Date.now(),
  random: moddableRandom,
  pins,
  secrets,
  log,
  production: isProductionBaseUrl(baseUrl),
  ...(RELEASE_PROBLEM ? { refuseConfig: RELEASE_PROBLEM } : {}),
  ...(testTiming ? { timing: FAST_TIMING } : {}),
});

for (const problem of outputProblems) log.error(problem);

// 2. Screen, touch, watchdog.
const fonts = loadDeviceFonts();
const display = new PocoDisplay(screen, fonts);
// The view is taken once per change, not per tick: `machine.view` makes new objects every time,
// and the screens' cache (and the countdown's cheap tick) hold only while it is the same object.
let view = machine.view;
const loop = new ScreenLoop(display, { config: machine.config ?? UNCONFIGURED, fonts: fonts.book }, () => view, moddableClock.now);
// Touch I2C errors are caught in touch.ts; a panel gone puts the machine out of service (E11).
const touch = startTouch((x, y, holdMs) => {
  const action = loop.touch(x, y, holdMs);
  if (action) machine.act(action);
}, (ok) => machine.setTouch(ok), log);

let serial: ReturnType<typeof startSerialLines>;
let fleetLink: FleetLink | undefined;
/** machine.start() ran (the fleet link starts after it). */
let started = false;
let network: ReturnType<typeof startNetwork> | undefined;
let clock: ReturnType<typeof startClockSync> | undefined;
const watchdog = new Watchdog({
  screen: () => view.sale.screen,
  log,
  stallMs: RELEASE_PROBLEM ? DEFAULT_STALL_MS : Number(setting('watchdogStallMs') ?? DEFAULT_STALL_MS),
  beforeRestart() {
    machine.stop();
    loop.stop();
    touch.stop();
    serial?.stop();
    network?.stop();
    clock?.stop();
    fleetLink?.stop();
    https.close();
  },
});
progress = () => watchdog.progress();

const driver = !RELEASE_PROBLEM && flag('testDriver')
  ? startTestDriver({
      store: new PreferenceStore({ domain: `${domain}-tst` }),
      view: () => view,
      inService: () => machine.status().inService,
      act: (action) => machine.act(action),
      list: () => loop.current,
      touch: (x, y, holdMs) => loop.touch(x, y, holdMs),
      qrDraws: () => display.qrDraws,
      // The matrix the display drew (it keeps it while the payment's text stays the same).
      drawnQr: () => (display as unknown as { lastQr?: QrMatrix }).lastQr,
      requests: () => https.stats.requests,
      connections: () => https.stats.connections,
    })
  : undefined;
if (driver) {
  hangPulses = driver.hangPulses;
  exchanged = () => driver.exchanged();
  loop.onPaint = () => driver.painted();
}

let shown = '';
machine.onChange(() => {
  view = machine.view;
  loop.changed();
  watchdog.progress();
  const sale = view.sale as { screen: string; reference?: string };
  if (!RELEASE && sale.screen !== shown) trace(`screen ${sale.screen}${sale.reference ? ` ${sale.reference}` : ''}\n`);
  shown = sale.screen;
  driver?.changed();
});

// 3. Network and clock: the controller is out of service until both are there. It starts out
// assuming both (so the simulator, where both are there at once, says nothing); it is told only
// of changes, once the starting state is known.
let reported = false;
// NTP: provisioned (`set ntp a,b,c`), else the build's sntpServers, else 0-3.pool.ntp.org.
const servers = ntpServers(secrets.ntp(), setting('sntpServers'));
network = startNetwork({
  ssid: secrets.wifi().ssid ?? setting('wifiSsid'),
  password: secrets.wifi().password ?? setting('wifiPassword'),
  log,
  onChange(up, dnsServers) {
    if (up) dhcpDns = dnsServers;
    const changed = online !== up;
    online = up;
    // A kept-alive connection outlives a Wi-Fi drop: closed now, or the first request after the
    // reconnect would be written into the dead socket and wait out its whole timeout.
    if (!up && changed) https.networkDown();
    if (reported && changed) machine.setNetwork(up);
    if (up) clock?.networkUp();
    startFleet();
  },
});
clock = startClockSync({
  servers,
  dnsServers: () => dhcpDns,
  log,
  onSet(server) {
    machine.setTimeServer(server);
    if (clockSet) return;
    clockSet = true;
    if (reported) machine.setClockSet(true);
    startFleet();
  },
});
if (!online) machine.setNetwork(false);
if (!clockSet) machine.setClockSet(false);
reported = true;
if (online) clock.networkUp();

// 4. Recovery, token, idle.
log.info(`boot: configuration ${loaded.source}, credentials ${secrets.source()}, base URL ${baseUrl ?? 'none'}${emulatorRoot ? ', emulator root CA' : ''}`);
// From a timer, not from this module's body: the first request's TLS handshake then starts on a
// short stack (from here it overflowed the 512-slot stack).
Timer.set(() => {
  machine.start();
  loop.render();
  started = true;
  startFleet();
}, 0);

// 5. The provisioning console.
const provisioning = new ProvisioningConsole({
  secrets,
  config: storedConfig,
  random: moddableRandom,
  busy: () => !/^(idle|out-of-service|service-)/.test(view.sale.screen),
  status() {
    const status = machine.status();
    return `state ${status.state}, ${status.inService ? 'in service' : `out of service (${status.outOfService ?? 'unknown'})`}, ${status.pending.length} pending, network ${online ? 'up' : 'down'}, clock ${clockSet ? 'set' : 'not set'}, fleet ${fleetLink ? (fleetLink.connected ? 'connected' : 'not connected') : fleetCredentials ? 'not linked' : 'not provisioned'}`;
  },
  reboot: () => watchdog.restart('reboot asked for on the console'),
});
serial = startSerialLines((line) => {
  for (const answer of provisioning.handle(line)) serial?.writeLine(answer);
}, (message) => log.error(message));
if (serial) serial.writeLine('ok qr-vending console ready; type help');

// 6. The fleet link (docs/fleet-protocol.md), when provisioned: made now, started once the network
// and the clock are up (TLS checks certificate dates) and the machine has started. On the device it
// closes while a sale is open (`yieldDuringSale`): a second TLS connection beside the sale's does
// not fit the ESP32's memory (the measurement: tools/firmware/sim-fleet.ts). With the test driver
// on, `fleetStay` = "1" in its Preference domain keeps it open, for that measurement only.
if (fleetCredentials) {
  try {
    fleetLink = makeDeviceFleetLink({
      machine,
      credentials: fleetCredentials,
      firmware: setting('firmware') ?? 'unknown',
      counters: new PreferenceStore({ domain: `${domain}-cfg` }),
      storedConfig,
      log,
      rssi: () => network?.rssi?.(),
      yieldDuringSale: !(driver && new PreferenceStore({ domain: `${domain}-tst` }).get('fleetStay') === '1'),
      ...(emulatorRoot ? { certificate: emulatorRoot } : {}),
      dnsServers: () => dhcpDns,
      ...(testTiming ? { timing: { heartbeatMs: 5_000, resendMs: 3_000, reconnectMs: 500, reconnectMaxMs: 5_000 } } : {}),
    });
  } catch (error) {
    log.error(`fleet: ${(error as Error).message}`);
  }
}

function startFleet(): void {
  if (fleetLink && started && online && clockSet) fleetLink.start();
}
startFleet();
