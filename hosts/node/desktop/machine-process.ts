// The desktop machine itself, in a process of its own so that a power cut is a kill (-9), wherever
// the machine is, mid-write included. It is the device's program on the Node host: the same
// controller and screens, the journal in a FileStore under the state folder, the Node HTTP
// transport behind a network switch, virtual pins. It talks to the page's server over IPC only
// (protocol.ts); started by machine-supervisor.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EpaymentClient } from 'epayment/client';
import { isProductionBaseUrl } from 'epayment/base-url';
import type { Log } from 'ports/log';
import type { MachineConfig } from 'app/config/machine-config';
import { VendingMachine } from 'app/sale/machine';
import { SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import { Display, loadScreenFonts } from '../display';
import { FileStore } from '../file-store';
import { Framebuffer } from '../framebuffer';
import { NodeHttpTransport } from '../http-transport';
import { cryptoRandom } from '../random';
import { systemClock } from '../system-clock';
import { NetworkSwitch } from './network-switch';
import type { ChildMessage, MachineInit, ParentMessage } from './protocol';
import { readFleetCredentials, startFleetLink, withStoredCatalog } from './fleet-wiring';
import { ScreenHost } from './screen-host';
import { caFrom, credentialsFrom, DesktopSecrets, PIN_ENV } from './secrets';
import { VirtualPins } from './virtual-pins';

/** Countdowns tick by the second: redraw often enough that a tick is never late by much. */
const TICK_MS = 250;
const HEARTBEAT_MS = 2000;

/** Draws the out-of-service screen when the configuration itself is unusable. */
const UNCONFIGURED: MachineConfig = {
  posId: 'unconfigured', languages: ['en'], currency: 'NOK', brand: 'Vipps', timeZoneOffsetMinutes: 0, qrTimeLimitSeconds: 600,
  idleTimeoutSeconds: 60, walkAwayTimeoutSeconds: 180, createDeadlineMs: 8000, operatorContact: '', catalog: [],
};

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Every line leaves with the known secret values blanked: the client redacts too, this is the last guard. */
function ipcLog(secrets: () => string[]): Log {
  const line = (level: 'info' | 'warn' | 'error') => (message: string) => {
    let clean = message;
    for (const secret of secrets()) clean = clean.split(secret).join('***');
    send({ t: 'log', level, message: clean, at: Date.now() });
  };
  return { info: line('info'), warn: line('warn'), error: line('error') };
}

function readConfig(init: MachineInit, log: Log): unknown {
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(init.configPath, 'utf8'));
  } catch (error) {
    log.error(`configuration ${init.configPath}: ${(error as Error).message}`);
    return undefined;
  }
  if (init.walkAwayTimeoutSeconds !== undefined && typeof config === 'object' && config !== null) {
    (config as Record<string, unknown>).walkAwayTimeoutSeconds = init.walkAwayTimeoutSeconds;
  }
  return config;
}

function boot(init: MachineInit): void {
  let secrets: DesktopSecrets | undefined;
  const fleetSecrets: string[] = [];
  const log = ipcLog(() => [...(secrets?.secretValues() ?? []), ...fleetSecrets]);
  const credentials = credentialsFrom(process.env, init.builtInEmulator);
  secrets = new DesktopSecrets(new FileStore(join(init.stateDir, 'secrets')), init.baseUrl, credentials, process.env[PIN_ENV]);
  const network = new NetworkSwitch(new NodeHttpTransport({ ca: caFrom(process.env) }), init.network);
  const api = credentials ? new EpaymentClient({ baseUrl: init.baseUrl, credentials, log }, network, systemClock) : undefined;
  if (!credentials) log.error('no credentials: set EPAYMENT_CLIENT_ID, EPAYMENT_CLIENT_SECRET, EPAYMENT_SUBSCRIPTION_KEY and EPAYMENT_MSN');

  let machine: VendingMachine | undefined;
  const reference = () => (machine?.view.sale as { reference?: string } | undefined)?.reference;
  const pins = new VirtualPins(systemClock, {
    output: (pin, active, ms) => {
      const ref = reference();
      send({ t: 'output', pin, active, ms, at: Date.now(), ...(ref ? { reference: ref } : {}) });
    },
    drop: (pin, seen) => send({ t: 'drop', pin, seen, at: Date.now() }),
  }, init.sensors, init.stuck);
  machine = new VendingMachine({
    config: withStoredCatalog(readConfig(init, log), init.stateDir, log),
    api,
    store: new FileStore(join(init.stateDir, 'journal')),
    clock: systemClock,
    wallTime: Date.now,
    random: cryptoRandom,
    pins,
    secrets,
    log,
    production: isProductionBaseUrl(init.baseUrl),
    timing: init.timing,
  });
  const vending = machine;
  const fonts = loadScreenFonts();
  const display = new Display(new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT), fonts);
  const host = new ScreenHost(display, { config: vending.config ?? UNCONFIGURED, fonts: fonts.book }, () => vending.view, Date.now, (boxes, pixels) => send({ t: 'frame', boxes, pixels }));

  const sendState = () => {
    const sale = vending.view.sale;
    send({
      t: 'state',
      status: vending.status(),
      targets: host.targets,
      ...(sale.screen === 'payment' ? { payment: { reference: sale.reference, redirectUrl: sale.redirectUrl } } : {}),
      ...(host.tapToQrMs === undefined ? {} : { tapToQrMs: host.tapToQrMs }),
      rssBytes: process.memoryUsage.rss(),
    });
  };
  // Many changes in one turn become one redraw and one state message, drawn once the turn's
  // requests are on the wire (the create goes out before the "creating" screen is painted).
  let queued = false;
  vending.onChange(() => {
    if (queued) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      host.render();
      sendState();
    });
  });

  process.on('message', (message: ParentMessage) => {
    switch (message.t) {
      case 'touch': {
        const action = host.touch(message.x, message.y, message.holdMs);
        if (action) vending.act(action);
        send({ t: 'reply', id: message.id, value: action ?? null });
        return;
      }
      case 'network':
        network.set(message.up);
        vending.setNetwork(message.up);
        return;
      case 'sensor':
        pins.setSensor(message.pin, message.drop);
        pins.setStuck(message.pin, message.stuck);
        return;
      case 'sales':
        send({ t: 'reply', id: message.id, value: vending.journal.salesLog() });
        return;
      default:
        return;
    }
  });

  if (!init.network) vending.setNetwork(false);
  vending.start();
  if (init.fleetCredentials) {
    try {
      const fleet = readFleetCredentials(init.fleetCredentials);
      fleetSecrets.push(fleet.password, fleet.key);
      startFleetLink(vending, { credentialsPath: init.fleetCredentials, stateDir: init.stateDir, log, ...(init.fleetCa ? { ca: readFileSync(init.fleetCa, 'utf8') } : {}) });
    } catch (error) {
      log.error(`fleet: ${(error as Error).message}`);
    }
  }
  host.render();
  sendState();
  setInterval(() => host.render(), TICK_MS);
  setInterval(sendState, HEARTBEAT_MS);
  send({ t: 'ready', pid: process.pid });
}

// Without its server the machine has no page, no power switch: go. Ctrl-C in the terminal is
// the server's to handle (it cuts the power); it is not a signal to the machine.
process.on('disconnect', () => process.exit(0));
process.on('SIGINT', () => {});
process.once('message', (message: ParentMessage) => {
  if (message.t === 'init') boot(message.init);
});
send({ t: 'hello' });
