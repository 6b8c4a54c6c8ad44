// The pay command's options: flags for the sale, environment variables for where and as whom
// (the same EPAYMENT_* names the emulator and the machine read).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Credentials } from 'epayment/config';
import type { Currency } from 'epayment/types';
import { DEFAULT_CREDENTIALS } from '../emulator/credentials';

export const USAGE = `usage: npm run pay -- --amount <minor units> [options]

  --amount <n>          price in minor units (2500 = 25.00 NOK); NOK 100-65000000, DKK and EUR 1-65000000; required
  --currency <c>        NOK (default), DKK or EUR
  --description <text>  the product's name, shown in the app, 3-100 characters (default "Test purchase")
  --reference <ref>     payment reference, ^[a-zA-Z0-9-]{8,64}$ (default: <pos id>-<counter>-<random>, as the machine makes them)
  --tax-rate <n>        VAT in hundredths of a percent for the receipt, 0-10000 (default 2500 = 25 %)
  --pos-id <id>         the machine's posId on the receipt and in references, [A-Za-z0-9-], 1-24 (default "pay-cli")
  --age <years>         minimumUserAge 1-100, for age-restricted products
  --png <file>          where the QR screen goes (default build/pay/<reference>.png)
  --yes, -y             answer "delivered?" with yes
  --answer-timeout <s>  not delivered if "delivered?" is not answered in time (default 300)
  --base-url <url>      overrides EPAYMENT_BASE_URL
  --ca <file>           extra trusted root certificate (PEM), e.g. the emulator's; or EPAYMENT_CA_FILE
  --poll-first-ms <ms>  first status read after the QR is shown (default 5000)
  --poll-interval-ms <ms> between status reads, at least 500 (default 2000)
  --state <folder>      the sale's journal (default build/pay/state/<host>): a capture or cancel still
                        pending when pay exits is settled by the next run

The sale runs on the machine's own controller: Ctrl-C (or SIGTERM) is its Cancel button, a full
cancel; a second Ctrl-C exits at once and says what the service last reported.

environment: EPAYMENT_BASE_URL (https://apitest.vipps.no, https://api.vipps.no, or the emulator;
default http://127.0.0.1:8080, where \`npm run emulator\` listens), EPAYMENT_CLIENT_ID,
EPAYMENT_CLIENT_SECRET, EPAYMENT_SUBSCRIPTION_KEY, EPAYMENT_MSN, EPAYMENT_CA_FILE. Against a
loopback URL (the emulator) unset credentials take the emulator's defaults; elsewhere all are required.

exit codes: 0 captured, 1 failed (API or network), 2 usage, 3 not delivered (cancelled),
4 aborted by the customer, 5 expired, 6 terminated elsewhere, 130 interrupted (cancelled)`;

export interface PayOptions {
  amount: number;
  currency: Currency;
  description: string;
  /** Undefined: the machine's own reference generator. */
  reference?: string;
  taxRate: number;
  posId: string;
  minimumUserAge?: number;
  /** Undefined: build/pay/<reference>.png. */
  pngPath?: string;
  yes: boolean;
  answerTimeoutMs: number;
  baseUrl: string;
  ca?: string;
  credentials: Credentials;
  pollFirstMs: number;
  pollIntervalMs: number;
  stateDir: string;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where `npm run emulator` listens by default. */
export const EMULATOR_DEFAULT_URL = 'http://127.0.0.1:8080';

const ENV_NAMES: Record<keyof Credentials, string> = {
  clientId: 'EPAYMENT_CLIENT_ID',
  clientSecret: 'EPAYMENT_CLIENT_SECRET',
  subscriptionKey: 'EPAYMENT_SUBSCRIPTION_KEY',
  merchantSerialNumber: 'EPAYMENT_MSN',
};

// The ePayment spec's limits (and the machine configuration's), checked before anything is sent.
const MIN_AMOUNT: Partial<Record<Currency, number>> = { NOK: 100, DKK: 1, EUR: 1 };
const MAX_AMOUNT = 65_000_000;
const REFERENCE = /^[a-zA-Z0-9-]{8,64}$/;
const POS_ID = /^[A-Za-z0-9-]{1,24}$/;
const MIN_POLL_INTERVAL_MS = 500;

function integer(name: string, text: string | undefined, min: number, max: number, fallback?: number): number {
  if (text === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`--${name} must be a whole number, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`--${name} must be ${min}-${max}, got ${value}`);
  return value;
}

export function isLoopback(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  } catch {
    return false;
  }
}

/** One journal per service: what is pending against the emulator is never sent to the test environment. */
export function defaultStateDir(baseUrl: string): string {
  let host = 'default';
  try {
    host = new URL(baseUrl).host.replace(/[^A-Za-z0-9.-]/g, '_');
  } catch {
    // checked elsewhere
  }
  return join('build', 'pay', 'state', host);
}

export function parsePayOptions(argv: string[], env: NodeJS.ProcessEnv): PayOptions | 'help' {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        amount: { type: 'string' },
        currency: { type: 'string', default: 'NOK' },
        description: { type: 'string', default: 'Test purchase' },
        reference: { type: 'string' },
        'tax-rate': { type: 'string' },
        'pos-id': { type: 'string', default: 'pay-cli' },
        age: { type: 'string' },
        png: { type: 'string' },
        yes: { type: 'boolean', short: 'y', default: false },
        'answer-timeout': { type: 'string' },
        'base-url': { type: 'string' },
        ca: { type: 'string' },
        'poll-first-ms': { type: 'string' },
        'poll-interval-ms': { type: 'string' },
        state: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const currency = values.currency as Currency;
  if (!['NOK', 'DKK', 'EUR'].includes(currency)) throw new UsageError('--currency must be NOK, DKK or EUR');
  const amount = integer('amount', values.amount, MIN_AMOUNT[currency] ?? 1, MAX_AMOUNT);
  const description = values.description!;
  if (description.trim().length < 3 || description.length > 100) throw new UsageError(`--description must be 3-100 characters, got ${description.length}`);
  if (/[\x00-\x1f\x7f]/.test(description)) throw new UsageError('--description must not contain control characters');
  const reference = values.reference;
  if (reference !== undefined && !REFERENCE.test(reference)) throw new UsageError(`--reference must match ^[a-zA-Z0-9-]{8,64}$, got "${reference.slice(0, 70)}"`);
  const posId = values['pos-id']!;
  if (!POS_ID.test(posId)) throw new UsageError(`--pos-id must be 1-24 characters of A-Z, a-z, 0-9 and -, got "${posId.slice(0, 30)}"`);
  const baseUrl = (values['base-url'] || env.EPAYMENT_BASE_URL || EMULATOR_DEFAULT_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#\s]+$/.test(baseUrl)) throw new UsageError(`the base URL must be http(s)://host[:port] without a path, got "${baseUrl.slice(0, 60)}"`);
  const loopback = isLoopback(baseUrl);
  // On this machine (the emulator), unset credentials take the emulator's defaults, as it does.
  const credentials: Credentials = { ...DEFAULT_CREDENTIALS };
  const missing: string[] = [];
  for (const field of Object.keys(ENV_NAMES) as (keyof Credentials)[]) {
    const value = env[ENV_NAMES[field]];
    if (value !== undefined && value !== '') credentials[field] = value;
    else if (!loopback) missing.push(ENV_NAMES[field]);
  }
  if (missing.length > 0) throw new UsageError(`set ${missing.join(', ')} for ${baseUrl}`);
  if (!/^[0-9]{4,10}$/.test(credentials.merchantSerialNumber)) throw new UsageError('EPAYMENT_MSN must be 4-10 digits');
  const caFile = values.ca ?? env.EPAYMENT_CA_FILE;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch {
      throw new UsageError(`cannot read the certificate file ${caFile} (--ca / EPAYMENT_CA_FILE)`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`${caFile} is not a PEM certificate (--ca / EPAYMENT_CA_FILE)`);
  }
  const options: PayOptions = {
    amount,
    currency,
    description,
    taxRate: integer('tax-rate', values['tax-rate'], 0, 10_000, 2500),
    posId,
    yes: values.yes!,
    answerTimeoutMs: integer('answer-timeout', values['answer-timeout'], 1, 86_400, 300) * 1000,
    baseUrl,
    credentials,
    pollFirstMs: integer('poll-first-ms', values['poll-first-ms'], 0, 600_000, 5000),
    pollIntervalMs: integer('poll-interval-ms', values['poll-interval-ms'], MIN_POLL_INTERVAL_MS, 600_000, 2000),
    stateDir: values.state ?? defaultStateDir(baseUrl),
  };
  if (reference !== undefined) options.reference = reference;
  if (values.png !== undefined) options.pngPath = values.png;
  if (values.age !== undefined) options.minimumUserAge = integer('age', values.age, 1, 100);
  if (ca !== undefined) options.ca = ca;
  return options;
}
