// The soak: many sales on the desktop machine through its automation API only, with customers who
// pay, reject, cancel or walk away, API faults, power cuts and network cuts, and the money rules
// checked from the emulator's records after every sale and once more when everything has settled.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PaymentRecord } from '../emulator/index';
import { mulberry32 } from '../emulator/faults';
import { DesktopClient } from '../../hosts/node/desktop/api-client';
import type { DesktopState } from '../../hosts/node/desktop/desktop-state';
import type { PulseRecord } from '../../hosts/node/desktop/machine-supervisor';
import { startDesktopProcess } from './desktop-process';
import { EmulatorAdmin } from './emulator-admin';
import { checkPayment, type Violation } from './money-rules';
import { checkStock } from './stock-rules';
import { drawScript, type ProductInfo, type SaleScript } from './scenario';

const SAMPLE_CONFIG = fileURLToPath(new URL('../../config/sample-machine.json', import.meta.url));
/** The customer gives up in the app if the QR is still up this long (a walk-away whose cancel failed). */
const GIVE_UP_MS = 25_000;
const SALE_END_MS = 60_000;
const DRAIN_MS = 120_000;

export interface SoakOptions {
  sales: number;
  seed: number;
  /** One line per sale. */
  log?: (line: string) => void;
}

export interface SoakResult {
  sales: number;
  violations: Violation[];
  powerCuts: number;
  networkCuts: number;
  faults: number;
  /** Times the machine did not come back to selling within the soak's patience. */
  stalls: number;
  /** How the payments ended, from the emulator's records. */
  outcomes: Record<string, number>;
  /** The machine process's resident memory, bytes (a fresh process after every power cut). */
  machineRss: { start: number; end: number };
  /** The page server's (with the emulator), where /proc is readable. */
  serverRss: { start?: number; end?: number };
  durationMs: number;
}

/** How a payment ended, from the emulator's record (the machine's own log keeps only its last pages). */
function outcomeOf(payment: PaymentRecord): string {
  const a = payment.aggregate;
  if (a.capturedAmount.value > 0) return 'captured';
  if (payment.state === 'AUTHORIZED') return a.cancelledAmount.value > 0 ? 'released back' : 'reserved';
  return { CREATED: 'open', ABORTED: 'rejected', EXPIRED: 'expired', TERMINATED: 'cancelled' }[payment.state];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The sample machine with every product stocked, enough for the whole soak (so it never needs a
 * restock), and nothing sold out: the stock invariant is checked on every product.
 */
function soakConfig(dir: string, sales: number): { path: string; products: ProductInfo[]; stock: Map<string, number> } {
  const config = JSON.parse(readFileSync(SAMPLE_CONFIG, 'utf8')) as { catalog: Record<string, unknown>[] };
  const stock = new Map<string, number>();
  for (const product of config.catalog) {
    product.stock = Math.max(Number(product.stock ?? 0), sales + 1);
    stock.set(product.id as string, product.stock as number);
    product.soldOut = false;
    delete product.minimumUserAge;
  }
  const path = join(dir, 'soak-machine.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return { path, products: config.catalog.map((p) => ({ id: p.id as string, hasSensor: p.dropSensor !== undefined })), stock };
}

const sellable = (s: DesktopState) => s.power === 'on' && s.state === 'idle' && s.inService && !s.journal?.openSale;
const settledIdle = (s: DesktopState) => s.power === 'on' && (s.state === 'idle' || s.state === 'out-of-service') && !s.journal?.openSale && s.outOfService !== 'recovering';

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'desktop-soak-'));
  const { path: configPath, products, stock } = soakConfig(dir, options.sales);
  /** Reference -> product, and per product the power cuts made while its customer paid. */
  const productOf = new Map<string, string>();
  const cutsWhilePaying = new Map<string, number>();
  const desktop = await startDesktopProcess(['--fast', '--quiet', '--state-dir', join(dir, 'state'), '--config', configPath]);
  const client = new DesktopClient(desktop.pageUrl);
  const emulator = new EmulatorAdmin(desktop.emulatorUrl);
  const random = mulberry32(options.seed);
  const cuts: number[] = [];
  const pulses = new Map<string, PulseRecord[]>();
  const violations = new Map<string, Violation>();
  const finished = new Set<string>();
  const result = { powerCuts: 0, networkCuts: 0, faults: 0, stalls: 0 };

  const cutPower = async (offMs: number) => {
    cuts.push(Date.now());
    result.powerCuts++;
    const { powerCuts } = await client.post<{ powerCuts: number }>('/power-cycle', { offMs });
    // Past the cut on the event stream too, so no wait below is answered by the state before it.
    await client.waitFor((s) => s.powerCuts >= powerCuts, 5000, 'the cut on the event stream');
  };

  /** Every payment not known to be over, against the machine as it is now. */
  const check = async (settled: boolean) => {
    for (const pulse of await client.get<PulseRecord[]>('/pulses')) {
      if (!pulse.reference) continue;
      const list = pulses.get(pulse.reference) ?? [];
      if (!list.some((p) => p.at === pulse.at && p.pin === pulse.pin)) list.push(pulse);
      else Object.assign(list.find((p) => p.at === pulse.at && p.pin === pulse.pin)!, pulse);
      pulses.set(pulse.reference, list);
    }
    const state = await client.state();
    const machine = {
      pending: new Map((state.pending ?? []).map((item) => [item.reference, item.operation])),
      ...(state.journal?.openSale ? { openSale: state.journal.openSale.reference } : {}),
    };
    const all: PaymentRecord[] = await emulator.payments();
    // Stock, product by product, whenever nothing is open (the open sale's unit is in flight).
    if (!state.journal?.openSale && state.journal?.stock) {
      for (const [product, stocked] of stock) {
        const left = state.journal.stock[product];
        if (left === undefined) continue;
        const paid = all.filter((payment) => productOf.get(payment.reference) === product && payment.aggregate.capturedAmount.value > 0).length;
        const mine = [...pulses.values()].flat().filter((pulse) => pulse.product === product || productOf.get(pulse.reference ?? '') === product);
        for (const violation of checkStock({ product, stocked, left, pulses: mine, paid, cutsWhilePaying: cutsWhilePaying.get(product) ?? 0 }, cuts)) {
          const key = `${violation.reference} ${violation.rule}`;
          if (!violations.has(key)) {
            violations.set(key, violation);
            log(`VIOLATION ${violation.rule} ${violation.reference}: ${violation.detail}`);
          }
        }
      }
    }
    for (const payment of all) {
      if (finished.has(payment.reference)) continue;
      for (const violation of checkPayment(payment, pulses.get(payment.reference) ?? [], machine, cuts, settled)) {
        const key = `${violation.reference} ${violation.rule}`;
        if (!violations.has(key)) {
          violations.set(key, violation);
          log(`VIOLATION ${violation.rule} ${violation.reference}: ${violation.detail}`);
        }
      }
      // Over for good: nothing reserved, nothing pending, nothing more can happen to it.
      const a = payment.aggregate;
      const open = payment.state === 'CREATED' || (payment.state === 'AUTHORIZED' && a.authorizedAmount.value - a.capturedAmount.value - a.cancelledAmount.value > 0);
      if (!open && !machine.pending.has(payment.reference) && machine.openSale !== payment.reference) finished.add(payment.reference);
    }
  };

  const waitSettled = async (what: string) => {
    try {
      await client.waitFor(settledIdle, SALE_END_MS, what);
    } catch (error) {
      result.stalls++;
      log(`stall: ${(error as Error).message}`);
    }
  };

  const sale = async (n: number, script: SaleScript) => {
    try {
      await client.waitFor(sellable, SALE_END_MS, 'the machine to sell');
    } catch (error) {
      result.stalls++;
      log(`stall before sale ${n}: ${(error as Error).message}`);
      return;
    }
    // The note about a sale finished after a restart hides the list until dismissed.
    if (client.current!.targets.some((t) => t.action.type === 'dismiss')) {
      await client.tap((a) => a.type === 'dismiss', 'OK');
      await client.waitFor((s) => s.targets.some((t) => t.action.type === 'select'), 2000, 'the product list').catch(() => {});
    }
    // Page to the product, as a customer would.
    for (let turn = 0; turn < 3 && !client.current!.targets.some((t) => t.action.type === 'select' && t.action.product === script.product); turn++) {
      const forward = client.current!.targets.some((t) => t.action.type === 'page' && t.action.delta === 1);
      await client.tap((a) => a.type === 'page' && a.delta === (forward ? 1 : -1), 'a page button');
      await client.waitFor((s) => s.targets.some((t) => t.action.type === 'select' && t.action.product === script.product), 2000, 'the product').catch(() => {});
    }
    if (script.dropFails) await client.sensor(script.product, false);
    if (script.fault) {
      result.faults++;
      await emulator.injectFault(script.fault);
    }
    try {
      await client.tap((a) => a.type === 'select' && a.product === script.product, script.product);
    } catch {
      return;
    }
    const shown = await client.waitFor((s) => s.power !== 'on' || (s.state !== 'idle' && s.state !== 'creating'), 15_000, 'the QR').catch(() => undefined);
    const reference = shown?.payment?.reference;
    if (reference) productOf.set(reference, script.product);
    if (reference && script.cut && script.customer === 'pay') cutsWhilePaying.set(script.product, (cutsWhilePaying.get(script.product) ?? 0) + 1);
    let network: Promise<void> = Promise.resolve();
    if (reference && script.networkCut) {
      const { atMs, forMs } = script.networkCut;
      result.networkCuts++;
      network = sleep(atMs).then(async () => {
        await client.network(false);
        await sleep(forMs);
        await client.network(true);
      });
    }
    if (reference) {
      const cut = script.cut;
      if (cut?.moment === 'qr') {
        await sleep(cut.delayMs);
        await cutPower(cut.offMs);
      }
      await sleep(script.actAfterMs);
      if (script.customer === 'pay') await emulator.approve(reference);
      else if (script.customer === 'reject') await emulator.reject(reference);
      else if (script.customer === 'cancel') await client.tap((a) => a.type === 'cancel', 'Cancel').catch(() => {});
      if (cut?.moment === 'after-approval') {
        await sleep(cut.delayMs);
        await cutPower(cut.offMs);
      } else if (cut?.moment === 'releasing') {
        const released = await client.waitFor((s) => s.pulses.some((p) => p.reference === reference), 15_000, 'the release').catch(() => undefined);
        if (released) {
          await sleep(cut.delayMs);
          await cutPower(cut.offMs);
        }
      }
      // Still on the QR long after: this customer gives up in the app.
      const over = await client.waitFor((s) => s.power === 'on' && s.payment?.reference !== reference, GIVE_UP_MS, 'the sale to end').catch(() => undefined);
      if (!over) await emulator.reject(reference);
    }
    await network;
    await waitSettled(`sale ${n} to settle`);
    if (script.dropFails) await client.sensor(script.product, true);
    await emulator.clearFaults();
    log(`sale ${n}: ${script.product} ${script.customer}${script.dropFails ? ' drop-missed' : ''}${script.fault ? ` fault ${script.fault.kind} ${script.fault.route}` : ''}${script.cut ? ` cut@${script.cut.moment}` : ''}${script.networkCut ? ' network-cut' : ''} -> ${reference ?? 'no QR'}`);
  };

  try {
    await client.waitFor(sellable, 60_000, 'the machine to boot');
    const machineRssStart = client.current!.machine.rssBytes ?? 0;
    const serverRssStart = desktop.serverRss();
    for (let n = 1; n <= options.sales; n++) {
      await sale(n, drawScript(random, products));
      await check(false);
    }
    // Everything back to normal; the machine settles what is queued; then nothing may be left open.
    await emulator.clearFaults();
    await client.network(true);
    await client.waitFor((s) => settledIdle(s) && (s.pending ?? []).length === 0, DRAIN_MS, 'the queue to drain').catch((error: Error) => {
      result.stalls++;
      log(`stall: ${error.message}`);
    });
    await check(true);
    const outcomes: Record<string, number> = {};
    for (const payment of await emulator.payments()) {
      const outcome = outcomeOf(payment);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    const final = await client.state();
    return {
      sales: options.sales,
      violations: [...violations.values()],
      ...result,
      outcomes,
      machineRss: { start: machineRssStart, end: final.machine.rssBytes ?? 0 },
      serverRss: { ...(serverRssStart === undefined ? {} : { start: serverRssStart }), ...(desktop.serverRss() === undefined ? {} : { end: desktop.serverRss()! }) },
      durationMs: Date.now() - started,
    };
  } finally {
    client.close();
    await desktop.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
