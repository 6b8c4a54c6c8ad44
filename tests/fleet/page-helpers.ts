// The page tests' world: the fleet server with its page on a free port (real PGlite, real broker),
// an operator, machines as npm mqtt clients, and Debian's Chromium through playwright-core.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { MqttClient } from 'mqtt';
import type { FleetServerOptions } from '../../fleet/server';
import { addOperator } from '../../fleet/operators';
import { connectMachine, startTestFleet, type TestFleet } from './helpers';
import type { MachineCredentials } from '../../fleet/machines';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const OPERATOR = 'alice';
export const PASSWORD = 'correct horse battery staple';

export interface PageWorld {
  fleet: TestFleet;
  /** http://127.0.0.1:port/ */
  url: string;
  browser: Browser;
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** Skips the suite (or fails it under CI) without Chromium. */
export function requireChromium(context: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env.CI) throw new Error(`no Chromium at ${CHROMIUM}: CI must install it (apt-get install chromium)`);
  console.log(`      skipped: no Chromium at ${CHROMIUM}`);
  context.skip();
}

export async function startPageWorld(extra: Partial<FleetServerOptions> = {}): Promise<PageWorld> {
  const fleet = await startTestFleet({ httpPort: 0, httpHost: '127.0.0.1', alertEveryMs: 200, ...extra });
  await addOperator(fleet.db, OPERATOR, PASSWORD);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  const contexts: BrowserContext[] = [];
  return {
    fleet,
    url: fleet.server.operator!.http.url,
    browser,
    async newPage() {
      const context = await browser.newContext();
      contexts.push(context);
      return { context, page: await context.newPage() };
    },
    async close() {
      await browser.close();
      await fleet.close();
    },
  };
}

export async function logIn(page: Page, url: string, name = OPERATOR, password = PASSWORD): Promise<void> {
  await page.goto(`${url}login`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('form.login button')]);
}

/** Reloads until the selector is on the page (the server's state changes between loads). */
export async function reloadUntil(page: Page, selector: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await page.locator(selector).count()) > 0) return;
    if (Date.now() > deadline) throw new Error(`${selector} not on ${page.url()} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await page.reload();
  }
}

export function catalog(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    v: 1,
    cfg: 'c'.repeat(64),
    languages: ['nb', 'en'],
    currency: 'NOK',
    products: [
      { id: 'cola', names: { nb: 'Cola', en: 'Cola' }, price: 2500, stock: 4, soldOut: false },
      { id: 'chips', names: { nb: 'Potetgull', en: 'Crisps' }, price: 3000, stock: 1, soldOut: false },
      { id: 'gum', names: { nb: 'Tyggegummi' }, price: 1500, soldOut: false },
    ],
    ...fields,
  };
}

/** A machine connected with its will, subscribed to its down topics. */
export async function machine(fleet: TestFleet, credentials: MachineCredentials): Promise<MqttClient> {
  const client = await connectMachine(fleet.url, credentials);
  await client.subscribeAsync(`vend/${credentials.posId}/down/#`, { qos: 0 });
  return client;
}

/** Publishes and waits until the server handled it; returns whether it was stored. */
export async function publish(fleet: TestFleet, client: MqttClient, posId: string, kind: string, body: unknown): Promise<boolean> {
  const topic = `vend/${posId}/up/${kind}`;
  const handled = fleet.nextOutcome(topic);
  await client.publishAsync(topic, typeof body === 'string' ? body : JSON.stringify(body));
  return (await handled).stored;
}
