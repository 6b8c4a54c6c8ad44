// The pay command's options: flags for the sale, environment variables for where and as whom
// (the same EPAYMENT_* names the emulator and the machine read).
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Credentials } from 'epayment/config';
import type { Currency } from 'epayment/types';
import { DEFAULT_CREDENTIALS } from '../emulator/credentials';

export const USAGE = `usage: npm run pay -- --amount <minor units> [options]

  --amount <n>          price in minor units (2500 = 25.00 NOK); required
  --currency <c>        NOK (default), DKK or EUR
  --description <text>  shown in the app, 3-100 characters (default "Test purchase")
  --reference <ref>     payment reference (default: a new pay-... reference)
  --tax-rate <n>        hundredths of a percent for the receipt (default 2500 = 25 %)
  --pos-id <id>         bottomLine.posId on the receipt (default "pay-cli")
  --age <years>         minimumUserAge, for age-restricted products
  --png <file>          where the QR screen goes (default build/pay/<reference>.png)
  --yes, -y             answer "delivered?" with yes
  --answer-timeout <s>  cancel if "delivered?" is not answered in time (default 300)
  --base-url <url>      overrides EPAYMENT_BASE_URL
  --ca <file>           extra trusted root certificate (PEM), e.g. the emulator's; or EPAYMENT_CA_FILE
  --poll-first-ms <ms>  first status read after the QR is shown (default 5000)
  --poll-interval-ms <ms> between status reads (default 2000, at least 500)

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
  reference: string;
  taxRate: number;
  posId: string;
  minimumUserAge?: number;
  pngPath: string;
  yes: boolean;
  answerTimeoutMs: number;
  baseUrl: string;
  ca?: string;
  credentials: Credentials;
  pollFirstMs: number;
  pollIntervalMs: number;
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

function integer(name: string, text: string | undefined, fallback?: number): number {
  if (text === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`--${name} must be a whole number, got "${text}"`);
  return Number(text);
}

export function isLoopback(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  } catch {
    return false;
  }
}

export function newReference(): string {
  return `pay-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
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
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const currency = values.currency as Currency;
  if (!['NOK', 'DKK', 'EUR'].includes(currency)) throw new UsageError('--currency must be NOK, DKK or EUR');
  const reference = values.reference ?? newReference();
  const baseUrl = values['base-url'] || env.EPAYMENT_BASE_URL || EMULATOR_DEFAULT_URL;
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
  const caFile = values.ca ?? env.EPAYMENT_CA_FILE;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch {
      throw new UsageError(`cannot read the certificate file ${caFile}`);
    }
  }
  const options: PayOptions = {
    amount: integer('amount', values.amount),
    currency,
    description: values.description!,
    reference,
    taxRate: integer('tax-rate', values['tax-rate'], 2500),
    posId: values['pos-id']!,
    pngPath: values.png ?? `build/pay/${reference}.png`,
    yes: values.yes!,
    answerTimeoutMs: integer('answer-timeout', values['answer-timeout'], 300) * 1000,
    baseUrl,
    credentials,
    pollFirstMs: integer('poll-first-ms', values['poll-first-ms'], 5000),
    pollIntervalMs: integer('poll-interval-ms', values['poll-interval-ms'], 2000),
  };
  if (values.age !== undefined) options.minimumUserAge = integer('age', values.age);
  if (ca !== undefined) options.ca = ca;
  return options;
}
