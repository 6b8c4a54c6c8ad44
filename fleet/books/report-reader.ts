// Reads the service's settlement report (Report API) with the fleet's client: the ledgers, and one
// ledger date's funds or fees, every page. A date the service has not begun answers 404.
import type { VippsClient } from '../vipps/client';

export type Topic = 'funds' | 'fees';

export interface ReportLedger {
  ledgerId: string;
  currency: string;
}

/** An item as the guide names its fields; amounts in minor units. */
export interface ReportEntry {
  pspReference: string;
  reference?: string | null;
  time: string;
  ledgerDate: string;
  entryType: string;
  currency: string;
  amount: number;
  balanceAfter?: number;
}

export type DateReport = { available: false } | { available: true; items: ReportEntry[]; complete: boolean };

/** A runaway cursor must not keep the sync going for ever. */
const MAX_PAGES = 100;

export async function readLedgers(vipps: VippsClient): Promise<ReportLedger[]> {
  const ledgers: ReportLedger[] = [];
  let cursor = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await vipps.call('GET', `/settlement/v1/ledgers${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (answer.status !== 200) throw new Error(`GET /settlement/v1/ledgers: HTTP ${answer.status}`);
    const body = answer.body as { items?: Array<{ ledgerId?: unknown; currency?: unknown }>; cursor?: unknown };
    for (const item of body.items ?? []) {
      if (typeof item.ledgerId === 'string' && typeof item.currency === 'string') ledgers.push({ ledgerId: item.ledgerId, currency: item.currency });
    }
    cursor = typeof body.cursor === 'string' ? body.cursor : '';
    if (!cursor) return ledgers;
  }
  throw new Error(`GET /settlement/v1/ledgers: more than ${MAX_PAGES} pages`);
}

export async function readDate(vipps: VippsClient, ledgerId: string, topic: Topic, ledgerDate: string): Promise<DateReport> {
  const path = `/report/v2/ledgers/${encodeURIComponent(ledgerId)}/${topic}/dates/${ledgerDate}`;
  const items: ReportEntry[] = [];
  let cursor = '';
  let complete = false;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await vipps.call('GET', `${path}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (answer.status === 404 && page === 0) return { available: false };
    if (answer.status !== 200) throw new Error(`GET ${path}: HTTP ${answer.status}`);
    const body = answer.body as { items?: unknown[]; cursor?: unknown; tryLater?: unknown };
    for (const item of body.items ?? []) if (isEntry(item)) items.push(item);
    complete = body.tryLater !== true;
    cursor = typeof body.cursor === 'string' ? body.cursor : '';
    if (!cursor) return { available: true, items, complete };
  }
  throw new Error(`GET ${path}: more than ${MAX_PAGES} pages`);
}

function isEntry(value: unknown): value is ReportEntry {
  const e = value as Partial<ReportEntry> | null;
  return !!e && typeof e.pspReference === 'string' && typeof e.entryType === 'string' && typeof e.ledgerDate === 'string'
    && /^\d{4}-\d{2}-\d{2}$/.test(e.ledgerDate) && typeof e.time === 'string' && !Number.isNaN(reportTimeMs(e.time))
    && Number.isSafeInteger(e.amount) && typeof e.currency === 'string';
}

/** The guide writes offsets without a colon ('…54.141089+0200'); Date.parse wants one. */
export function reportTimeMs(time: string): number {
  return Date.parse(time.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}
