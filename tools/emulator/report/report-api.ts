// The Report API subset, as the public guide names it: GET /settlement/v1/ledgers and
// GET /report/v2/ledgers/{ledgerId}/{funds|fees}/dates/{ledgerDate}, behind the same access token
// and subscription key as the ePayment API. A date not begun yet is 404 ("try again later"); a date
// not closed yet (its cut-off plus the lag still ahead) answers what is visible with tryLater: true.
import type { Clock } from '../clock';
import type { PaymentBook } from '../payments';
import { json, problem, type Reply } from '../replies';
import type { TokenIssuer } from '../tokens';
import type { Credentials } from '../types';
import { LEDGER_CURRENCIES } from './fee-model';
import { buildLedger, ledgerIdFor, type Ledger, type Topic } from './ledger-book';
import { DAY_MS, ledgerDateStart } from './ledger-dates';
import type { ReportSettings } from './report-settings';

export interface ReportDependencies {
  credentials: Credentials;
  tokens: TokenIssuer;
  payments: PaymentBook;
  clock: Clock;
  settings: ReportSettings;
}

/** Paths of the Report API (answered here, not by the ePayment contract). */
export function isReportPath(path: string): boolean {
  return path.startsWith('/settlement/') || path.startsWith('/report/');
}

const LEDGERS = /^\/settlement\/v1\/ledgers\/?$/;
const DATES = /^\/report\/v2\/ledgers\/([^/]+)\/(funds|fees)\/dates\/([^/]+)\/?$/;

export class ReportApi {
  constructor(private readonly deps: ReportDependencies) {}

  handle(method: string, url: URL, headers: Record<string, string | undefined>): Reply {
    const instance = url.pathname;
    const refused = this.authenticate(headers, instance);
    if (refused) return refused;
    if (method === 'GET' && LEDGERS.test(url.pathname)) return this.ledgers(url);
    const dates = method === 'GET' ? DATES.exec(url.pathname) : null;
    if (dates) return this.report(decodeURIComponent(dates[1]!), dates[2] as Topic, dates[3]!, url.searchParams.get('cursor'), instance);
    return problem(404, 'Not Found', `There is no ${method} ${url.pathname} in the emulator's Report API subset.`, { instance });
  }

  private authenticate(headers: Record<string, string | undefined>, instance: string): Reply | undefined {
    const { credentials, tokens } = this.deps;
    const key = headers['ocp-apim-subscription-key'];
    if (!key) return problem(401, 'Unauthorized', 'Access denied due to missing subscription key.', { instance });
    if (key !== credentials.subscriptionKey) return problem(401, 'Unauthorized', 'Access denied due to invalid subscription key.', { instance });
    const check = tokens.check(headers.authorization);
    if (check !== 'valid') return problem(401, 'Unauthorized', `The access token is ${check}. Send Authorization: Bearer <token from POST /accesstoken/get>.`, { instance });
    // The real API needs no sales unit; one that is sent must be the merchant's.
    const msn = headers['merchant-serial-number'];
    if (msn && msn !== credentials.merchantSerialNumber) return problem(403, 'Forbidden', `The Merchant-Serial-Number ${msn} is not a sales unit of these API keys.`, { instance });
    return undefined;
  }

  private ledgers(url: URL): Reply {
    const msn = this.deps.credentials.merchantSerialNumber;
    const handle = url.searchParams.get('settlesForRecipientHandles');
    const now = this.deps.clock.now();
    const items = LEDGER_CURRENCIES.filter(() => !handle || handle === `api:${msn}`).map((currency) => {
      const payouts = this.visible(buildLedger(this.deps.payments.all(), msn, currency, now).funds, now).filter((e) => e.entryType === 'payout-scheduled');
      return {
        ledgerId: ledgerIdFor(msn, currency),
        currency,
        payoutBankAccount: { scheme: 'BBAN:NO', id: '86011117947' },
        firstPayout: payouts[0]?.reference ?? null,
        lastPayout: payouts.at(-1)?.reference ?? null,
        owner: { scheme: 'business:NO:ORG', id: '987654321' },
        settlesForRecipientHandles: [`api:${msn}`],
      };
    });
    return json(200, { items, cursor: '' });
  }

  private report(ledgerId: string, topic: Topic, ledgerDate: string, cursor: string | null, instance: string): Reply {
    const msn = this.deps.credentials.merchantSerialNumber;
    const currency = LEDGER_CURRENCIES.find((c) => ledgerIdFor(msn, c) === ledgerId);
    if (!currency) return problem(404, 'Not Found', `No ledger ${ledgerId} for these API keys. GET /settlement/v1/ledgers lists them.`, { instance });
    const start = ledgerDateStart(ledgerDate);
    if (start === undefined) return problem(400, 'Bad Request', `ledgerDate must be a date as yyyy-MM-dd, not ${ledgerDate}.`, { instance });
    const now = this.deps.clock.now();
    if (start > now) return problem(404, 'Not Found', `The report for ${ledgerDate} is not available yet. Try again later.`, { instance });

    const offset = cursor ? decodeCursor(cursor, `${ledgerId}/${topic}/${ledgerDate}`) : 0;
    if (offset === undefined) return problem(400, 'Bad Request', 'The cursor is not one this report handed out.', { instance });
    const ledger: Ledger = buildLedger(this.deps.payments.all(), msn, currency, now);
    const all = this.visible(ledger[topic], now).filter((entry) => entry.ledgerDate === ledgerDate);
    const { pageSize, lagSeconds } = this.deps.settings;
    const items = all.slice(offset, offset + pageSize);
    const more = offset + pageSize < all.length;
    const closed = now >= start + DAY_MS + lagSeconds * 1000;
    return json(200, { cursor: more ? encodeCursor(`${ledgerId}/${topic}/${ledgerDate}`, offset + pageSize) : '', items, tryLater: !closed });
  }

  /** What the report shows by now: entries at least the lag old. */
  private visible(entries: Ledger['funds'], now: number) {
    const lagMs = this.deps.settings.lagSeconds * 1000;
    return entries.filter((timed) => timed.atMs + lagMs <= now).map((timed) => timed.entry);
  }
}

/** The cursor names the report it belongs to and where the next page starts. */
function encodeCursor(report: string, offset: number): string {
  return Buffer.from(JSON.stringify({ report, offset })).toString('base64url');
}

function decodeCursor(cursor: string, report: string): number | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { report?: unknown; offset?: unknown };
    return value.report === report && Number.isInteger(value.offset) && (value.offset as number) >= 0 ? (value.offset as number) : undefined;
  } catch {
    return undefined;
  }
}
