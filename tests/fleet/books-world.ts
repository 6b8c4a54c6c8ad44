// The books tests' world: the emulator as the service, the fleet holding its keys, and helpers
// that pay through the fleet's own VippsClient and write sales as the machines would report them.
import assert from 'node:assert/strict';
import type { Database } from '../../fleet/database';
import { emulatorVippsKeys } from '../../fleet/local-fleet';
import { capturedPayment } from './emulator-helpers';
import type { VippsClient, VippsKeys } from '../../fleet/vipps/client';
import { startEmulator, type Emulator } from '../../tools/emulator/index';

export async function startBooksEmulator(): Promise<Emulator> {
  // Tokens outlive the clock jumps of these tests; the report shows entries at once unless told.
  return startEmulator({ reportLagSeconds: 0, tokenLifetimeSeconds: 7 * 86_400, seed: 5 });
}

export const vippsKeysOf = (emulator: Emulator): VippsKeys => emulatorVippsKeys(emulator);

/** Create, approve, capture (and refund) a NOK payment at the service. */
export async function pay(vipps: VippsClient, emulator: Emulator, reference: string, captured: number, refunded = 0): Promise<void> {
  await capturedPayment(vipps, emulator, reference, captured);
  if (refunded > 0) {
    const refund = await vipps.call('POST', `/epayment/v1/payments/${reference}/refund`, { body: { modificationAmount: { currency: 'NOK', value: refunded } }, headers: { 'Idempotency-Key': `refund-${reference}` } });
    assert.equal(refund.status, 200, refund.text);
  }
}

/** A sale as a machine's up/sale leaves it in the table; received an hour ago unless told. */
export async function recordSale(db: Database, posId: string, reference: string, amount: number, outcome: 'captured' | 'refunded', receivedAgoS = 3600): Promise<void> {
  await db.query(
    `INSERT INTO sales (pos_id, reference, seq, sale_time, product, amount, currency, outcome, received_at, updated_at)
     VALUES ($1, $2, 1, $3, 'cola', $4, 'NOK', $5, now() - make_interval(secs => $6), now() - make_interval(secs => $6))`,
    [posId, reference, Math.floor(Date.now() / 1000) - receivedAgoS, amount, outcome, receivedAgoS],
  );
}

export const today = (): string => new Date().toISOString().slice(0, 10);

/** Seconds from the emulator's now to just after its next midnight UTC. */
export function secondsPastMidnight(emulator: Emulator): number {
  const now = emulator.now();
  return Math.ceil((Math.floor(now / 86_400_000) * 86_400_000 + 86_400_000 - now) / 1000) + 1;
}
