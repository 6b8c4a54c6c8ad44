// Checks a message up against docs/fleet-protocol.md before anything is stored: the size, JSON,
// v = 1, each field's type, the posId in the topic. A message that fails is refused whole.
import { isPosId } from './acl';

export const MAX_MESSAGE_BYTES = 1024;

export const OUTCOMES = ['captured', 'capture-pending', 'capture-overdue', 'capture-expired', 'cancelled', 'cancel-pending', 'aborted', 'expired', 'terminated', 'failed', 'refunded'] as const;
export const CURRENCIES = ['NOK', 'DKK', 'EUR'] as const;
export const ALERT_KINDS = ['out-of-service', 'capture-late', 'capture-overdue', 'journal'] as const;

export interface Hello { fw: string; cfg: string; boot: number; t: number }
export interface Heartbeat {
  t: number; screen: string; inService: boolean; reason?: string; queue: number; pending: number;
  late: number; overdue: number; heap?: number; rssi?: number; seq: number; acked: number; lost?: number;
}
export interface Sale {
  seq: number; time: number; reference: string; product: string; amount: number;
  currency: (typeof CURRENCIES)[number]; outcome: (typeof OUTCOMES)[number];
}
export interface Alert { kind: (typeof ALERT_KINDS)[number]; open: boolean; detail: string; t: number }
export interface ConfigAck { id: string; result: 'applied' | 'refused'; cfg?: string; reason?: string }
export interface Will { online: false }

export type UpMessage =
  | { kind: 'hello'; posId: string; body: Hello }
  | { kind: 'heartbeat'; posId: string; body: Heartbeat }
  | { kind: 'sale'; posId: string; body: Sale }
  | { kind: 'alert'; posId: string; body: Alert }
  | { kind: 'ack'; posId: string; body: ConfigAck }
  | { kind: 'will'; posId: string; body: Will };

export type Parsed = { ok: true; message: UpMessage } | { ok: false; reason: string };

type Json = Record<string, unknown>;
// What the database's integer columns hold; times are bigint (see Fields.time).
const MAX_INT = 2_147_483_647;

class Fields {
  readonly problems: string[] = [];
  constructor(readonly json: Json) {}

  private fail(name: string, what: string): undefined {
    this.problems.push(`${name} ${what}`);
    return undefined;
  }

  string(name: string, optional = false, max = 256): void {
    const value = this.json[name];
    if (value === undefined && optional) return;
    if (typeof value !== 'string') return void this.fail(name, 'must be a string');
    if (value.length > max) this.fail(name, `is longer than ${max}`);
  }

  integer(name: string, min: number, optional = false, max = MAX_INT): void {
    const value = this.json[name];
    if (value === undefined && optional) return;
    if (typeof value !== 'number' || !Number.isInteger(value)) return void this.fail(name, 'must be an integer');
    if (value < min || value > max) this.fail(name, `is out of range`);
  }

  /** Epoch seconds: past 2038, so not held to the integer columns' limit. */
  time(name: string): void {
    this.integer(name, 0, false, Number.MAX_SAFE_INTEGER);
  }

  boolean(name: string): void {
    if (typeof this.json[name] !== 'boolean') this.fail(name, 'must be true or false');
  }

  oneOf(name: string, values: readonly string[]): void {
    const value = this.json[name];
    if (typeof value !== 'string' || !values.includes(value)) this.fail(name, `must be one of ${values.join(', ')}`);
  }

  hex64(name: string, optional = false): void {
    const value = this.json[name];
    if (value === undefined && optional) return;
    if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) this.fail(name, 'must be 64 hex digits');
  }
}

const CHECKS: Record<UpMessage['kind'], (f: Fields, posId: string) => void> = {
  hello(f) {
    f.string('fw', false, 64);
    f.hex64('cfg');
    f.integer('boot', 0);
    f.time('t');
  },
  heartbeat(f) {
    f.time('t');
    f.string('screen', false, 32);
    f.boolean('inService');
    f.string('reason', true, 32);
    for (const name of ['queue', 'pending', 'late', 'overdue', 'seq', 'acked']) f.integer(name, 0);
    f.integer('lost', 0, true);
    f.integer('heap', 0, true);
    f.integer('rssi', -200, true);
  },
  sale(f, posId) {
    f.integer('seq', 1);
    f.time('time');
    f.string('reference', false, 64);
    f.string('product', false, 64);
    f.integer('amount', 0);
    f.oneOf('currency', CURRENCIES);
    f.oneOf('outcome', OUTCOMES);
    const reference = f.json.reference;
    if (typeof reference === 'string' && !reference.startsWith(`${posId}-`)) f.problems.push(`reference does not start with ${posId}-`);
  },
  alert(f) {
    f.oneOf('kind', ALERT_KINDS);
    f.boolean('open');
    f.string('detail', false, 256);
    f.time('t');
  },
  ack(f) {
    f.string('id', false, 32);
    f.oneOf('result', ['applied', 'refused']);
    if (f.json.result === 'applied') f.hex64('cfg', true);
    f.string('reason', true, 512);
  },
  will(f) {
    if (f.json.online !== false) f.problems.push('online must be false');
  },
};

/** A message up's bytes as its JSON object: at most `maxBytes`, UTF-8, an object, `v` 1. Never throws. */
export function readUpBody(payload: Buffer, maxBytes: number): { ok: true; body: Json } | { ok: false; reason: string } {
  if (payload.length > maxBytes) return { ok: false, reason: `${payload.length} bytes, over ${maxBytes}` };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, reason: 'not a JSON object' };
  const body = json as Json;
  if (body.v !== 1) return { ok: false, reason: 'v is not 1' };
  return { ok: true, body };
}

/** topic is vend/{posId}/up/{kind}; payload the raw bytes. Never throws. */
export function parseUp(topic: string, payload: Buffer): Parsed {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== 'vend' || parts[2] !== 'up') return { ok: false, reason: 'not an up topic' };
  const posId = parts[1]!;
  const kind = parts[3]! as UpMessage['kind'];
  if (!isPosId(posId)) return { ok: false, reason: 'not a posId' };
  if (!Object.hasOwn(CHECKS, kind)) return { ok: false, reason: `unknown kind ${kind.slice(0, 32)}` };
  const read = readUpBody(payload, MAX_MESSAGE_BYTES);
  if (!read.ok) return read;
  const { body } = read;
  const fields = new Fields(body);
  CHECKS[kind](fields, posId);
  if (fields.problems.length > 0) return { ok: false, reason: fields.problems.join('; ') };
  return { ok: true, message: { kind, posId, body } as unknown as UpMessage };
}
