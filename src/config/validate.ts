// Checks a machine configuration once, at start. Every problem names the field and what is wrong
// with it (`catalog[3].price: 0 is below the NOK minimum of 100`); the first one takes the machine
// out of service, so a bad document never starts a sale.
import { BRANDS, LANGUAGES, type Brand, type DropSensorConfig, type Language, type MachineConfig, type MachineCurrency, type OutputConfig, type Product } from 'app/config/machine-config';

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems[0] ?? 'invalid configuration');
    this.problems = problems;
  }
}

const POS_ID = (): RegExp => /^[A-Za-z0-9-]{1,24}$/;
const PRODUCT_ID = (): RegExp => /^[a-z0-9-]{1,16}$/;
const CURRENCIES: readonly MachineCurrency[] = ['NOK', 'DKK', 'EUR'];
const MIN_PRICE: Record<MachineCurrency, number> = { NOK: 100, DKK: 1, EUR: 1 };
const MAX_PRICE = 65_000_000;
const MAX_PRODUCTS = 60;
// GPIO numbers of an ESP32; 34-39 are input-only, so outputs stop at 33.
const MAX_OUTPUT_PIN = 33;
const MAX_INPUT_PIN = 39;

type Json = Record<string, unknown>;

class Checker {
  readonly problems: string[] = [];

  fail(field: string, message: string): undefined {
    this.problems.push(`${field}: ${message}`);
    return undefined;
  }

  object(value: unknown, field: string): Json | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return this.fail(field, 'must be an object');
    return value as Json;
  }

  string(value: unknown, field: string, min: number, max: number, pattern?: RegExp): string | undefined {
    if (typeof value !== 'string') return this.fail(field, 'must be a string');
    if (value.length < min || value.length > max) return this.fail(field, `must be ${min}-${max} characters, not ${value.length}`);
    if (pattern && !pattern.test(value)) return this.fail(field, `"${value.slice(0, 30)}" does not match ${pattern.source}`);
    return value;
  }

  integer(value: unknown, field: string, min: number, max: number): number | undefined {
    if (typeof value !== 'number' || !Number.isInteger(value)) return this.fail(field, `must be a whole number, not ${describe(value)}`);
    if (value < min) return this.fail(field, `${value} is below the minimum of ${min}`);
    if (value > max) return this.fail(field, `${value} is above the maximum of ${max}`);
    return value;
  }

  optionalInteger(value: unknown, field: string, min: number, max: number, fallback: number): number | undefined {
    return value === undefined ? fallback : this.integer(value, field, min, max);
  }

  boolean(value: unknown, field: string, fallback: boolean): boolean | undefined {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') return this.fail(field, 'must be true or false');
    return value;
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T | undefined {
    if (typeof value !== 'string' || !allowed.includes(value as T)) return this.fail(field, `must be one of ${allowed.join(', ')}, not ${describe(value)}`);
    return value as T;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value.slice(0, 30)}"`;
  if (value === undefined) return 'missing';
  return JSON.stringify(value) ?? String(value);
}

function output(c: Checker, value: unknown, field: string): OutputConfig | undefined {
  const o = c.object(value, field);
  if (!o) return undefined;
  const pin = c.integer(o.pin, `${field}.pin`, 0, MAX_OUTPUT_PIN);
  const pulseMs = c.integer(o.pulseMs, `${field}.pulseMs`, 20, 5000);
  const activeLow = c.boolean(o.activeLow, `${field}.activeLow`, false);
  if (pin === undefined || pulseMs === undefined || activeLow === undefined) return undefined;
  return { pin, pulseMs, activeLow };
}

function dropSensor(c: Checker, value: unknown, field: string): DropSensorConfig | undefined {
  const o = c.object(value, field);
  if (!o) return undefined;
  const pin = c.integer(o.pin, `${field}.pin`, 0, MAX_INPUT_PIN);
  const timeoutMs = c.integer(o.timeoutMs, `${field}.timeoutMs`, 100, 30_000);
  const mode = o.mode === undefined ? 'edge' : c.oneOf(o.mode, `${field}.mode`, ['edge', 'level'] as const);
  const activeLow = c.boolean(o.activeLow, `${field}.activeLow`, false);
  if (pin === undefined || timeoutMs === undefined || mode === undefined || activeLow === undefined) return undefined;
  return { pin, timeoutMs, mode, activeLow };
}

function product(c: Checker, value: unknown, field: string, currency: MachineCurrency | undefined, defaultLanguage: Language | undefined): Product | undefined {
  const p = c.object(value, field);
  if (!p) return undefined;
  const id = c.string(p.id, `${field}.id`, 1, 16, PRODUCT_ID());
  const names: Partial<Record<Language, string>> = {};
  const rawNames = c.object(p.names, `${field}.names`);
  if (rawNames) {
    for (const key of Object.keys(rawNames)) {
      const language = c.oneOf(key, `${field}.names`, LANGUAGES);
      const name = c.string(rawNames[key], `${field}.names.${key}`, 1, 100);
      if (language && name !== undefined) names[language] = name;
    }
    if (defaultLanguage && names[defaultLanguage] === undefined) c.fail(`${field}.names.${defaultLanguage}`, 'the default language needs a name');
  }
  let price = c.integer(p.price, `${field}.price`, 0, MAX_PRICE);
  if (price !== undefined && currency && price < MIN_PRICE[currency]) price = c.fail(`${field}.price`, `${price} is below the ${currency} minimum of ${MIN_PRICE[currency]}`);
  const vatRate = c.integer(p.vatRate, `${field}.vatRate`, 0, 10_000);
  const minimumUserAge = p.minimumUserAge === undefined ? undefined : c.integer(p.minimumUserAge, `${field}.minimumUserAge`, 1, 100);
  const stock = p.stock === undefined ? undefined : c.integer(p.stock, `${field}.stock`, 0, 9999);
  const soldOut = c.boolean(p.soldOut, `${field}.soldOut`, false);
  const out = output(c, p.output, `${field}.output`);
  const sensor = p.dropSensor === undefined ? undefined : dropSensor(c, p.dropSensor, `${field}.dropSensor`);
  if (id === undefined || price === undefined || vatRate === undefined || soldOut === undefined || !out) return undefined;
  if (p.dropSensor !== undefined && !sensor) return undefined;
  const result: Product = { id, names, price, vatRate, soldOut, output: out };
  if (minimumUserAge !== undefined) result.minimumUserAge = minimumUserAge;
  if (stock !== undefined) result.stock = stock;
  if (sensor) result.dropSensor = sensor;
  return result;
}

/** The configuration, checked; throws a ConfigError listing every problem found. */
export function validateMachineConfig(value: unknown): MachineConfig {
  const c = new Checker();
  const m = c.object(value, 'config');
  if (!m) throw new ConfigError(c.problems);
  const posId = c.string(m.posId, 'posId', 1, 24, POS_ID());
  let languages: Language[] | undefined;
  if (!Array.isArray(m.languages) || m.languages.length === 0) c.fail('languages', 'must list at least one of nb, da, fi, sv, en');
  else {
    languages = [];
    m.languages.forEach((language, i) => {
      const checked = c.oneOf(language, `languages[${i}]`, LANGUAGES);
      if (checked && languages!.includes(checked)) c.fail(`languages[${i}]`, `${checked} is listed twice`);
      else if (checked) languages!.push(checked);
    });
  }
  const currency = c.oneOf(m.currency, 'currency', CURRENCIES);
  const brand = c.oneOf<Brand>(m.brand, 'brand', BRANDS);
  const timeZoneOffsetMinutes = c.optionalInteger(m.timeZoneOffsetMinutes, 'timeZoneOffsetMinutes', -720, 840, 0);
  const qrTimeLimitSeconds = c.optionalInteger(m.qrTimeLimitSeconds, 'qrTimeLimitSeconds', 30, 600, 600);
  const idleTimeoutSeconds = c.optionalInteger(m.idleTimeoutSeconds, 'idleTimeoutSeconds', 5, 3600, 60);
  const walkAwayTimeoutSeconds = c.optionalInteger(m.walkAwayTimeoutSeconds, 'walkAwayTimeoutSeconds', 1, 600, 180);
  const createDeadlineMs = c.optionalInteger(m.createDeadlineMs, 'createDeadlineMs', 1000, 60_000, 8000);
  const operatorContact = c.string(m.operatorContact, 'operatorContact', 0, 80);
  // Was in the schema but never wired to an input: refused, so nobody counts on a switch that does nothing.
  if (m.serviceInputPin !== undefined) c.problems.push('serviceInputPin is not supported: no input enters service mode; use the 3-second press on the screen (remove the field)');
  if (walkAwayTimeoutSeconds !== undefined && qrTimeLimitSeconds !== undefined && walkAwayTimeoutSeconds > qrTimeLimitSeconds) {
    c.fail('walkAwayTimeoutSeconds', `${walkAwayTimeoutSeconds} is longer than qrTimeLimitSeconds (${qrTimeLimitSeconds})`);
  }

  const catalog: Product[] = [];
  if (!Array.isArray(m.catalog) || m.catalog.length === 0) c.fail('catalog', 'must list at least one product');
  else if (m.catalog.length > MAX_PRODUCTS) c.fail('catalog', `has ${m.catalog.length} products; at most ${MAX_PRODUCTS}`);
  else {
    const ids = new Set<string>();
    const pins = new Map<number, string>();
    m.catalog.forEach((item, i) => {
      const checked = product(c, item, `catalog[${i}]`, currency, languages?.[0]);
      if (!checked) return;
      if (ids.has(checked.id)) c.fail(`catalog[${i}].id`, `"${checked.id}" is used by another product`);
      ids.add(checked.id);
      const owner = pins.get(checked.output.pin);
      if (owner !== undefined) c.fail(`catalog[${i}].output.pin`, `pin ${checked.output.pin} already releases ${owner}`);
      pins.set(checked.output.pin, checked.id);
      catalog.push(checked);
    });
    // An input pin shared with an output would read back our own pulse.
    m.catalog.forEach((item, i) => {
      const sensorPin = (item as { dropSensor?: { pin?: unknown } } | null)?.dropSensor?.pin;
      if (typeof sensorPin === 'number' && pins.has(sensorPin)) c.fail(`catalog[${i}].dropSensor.pin`, `pin ${sensorPin} is an output`);
    });
  }

  if (c.problems.length > 0) throw new ConfigError(c.problems);
  const config: MachineConfig = {
    posId: posId!,
    languages: languages!,
    currency: currency!,
    brand: brand!,
    timeZoneOffsetMinutes: timeZoneOffsetMinutes!,
    qrTimeLimitSeconds: qrTimeLimitSeconds!,
    idleTimeoutSeconds: idleTimeoutSeconds!,
    walkAwayTimeoutSeconds: walkAwayTimeoutSeconds!,
    createDeadlineMs: createDeadlineMs!,
    operatorContact: operatorContact!,
    catalog,
  };
  return config;
}
