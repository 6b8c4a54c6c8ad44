// A client of the desktop machine's automation API, for the soak, the bench and the tests: the
// routes as methods, and waits on the event stream (GET /events) for a state that satisfies a
// condition, so nothing polls.
import type { Action, SalesLogEntry } from 'app/sale/view';
import type { DesktopState } from './desktop-state';

type Waiter = { test(state: DesktopState): boolean; resolve(state: DesktopState): void; reject(error: Error): void; timer: NodeJS.Timeout };

export class DesktopClient {
  private latest: DesktopState | undefined;
  private readonly waiters = new Set<Waiter>();
  private stream: AbortController | undefined;
  private connected: Promise<void> | undefined;

  constructor(readonly pageUrl: string) {}

  private url(path: string): string {
    return new URL(path, this.pageUrl).toString();
  }

  async get<T>(path: string): Promise<T> {
    const response = await fetch(this.url(path));
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async post<T>(path: string, body: unknown = {}): Promise<T> {
    const response = await fetch(this.url(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  state(): Promise<DesktopState> {
    return this.get('/state');
  }

  sales(): Promise<SalesLogEntry[]> {
    return this.get('/sales');
  }

  async touch(x: number, y: number, holdMs = 0): Promise<Action | null> {
    return (await this.post<{ action: Action | null }>('/touch', { x, y, holdMs })).action;
  }

  /** Touches the middle of the first target on screen whose action matches, held as long as it needs. */
  async tap(match: (action: Action) => boolean, what = 'a target'): Promise<Action | null> {
    const state = this.latest ?? (await this.state());
    const target = state.targets.find((t) => match(t.action));
    if (!target) throw new Error(`no ${what} on the ${state.state} screen`);
    const { box } = target;
    return this.touch(box.x + (box.width >> 1), box.y + (box.height >> 1), target.holdMs);
  }

  powerCycle(offMs?: number): Promise<unknown> {
    return this.post('/power-cycle', offMs === undefined ? {} : { offMs });
  }

  network(up: boolean): Promise<unknown> {
    return this.post('/network', { up });
  }

  sensor(product: string, drop: boolean): Promise<unknown> {
    return this.post('/sensor', { product, drop });
  }

  /** The product's drop sensor reads active (stuck) or not. */
  sensorStuck(product: string, stuck: boolean): Promise<unknown> {
    return this.post('/sensor', { product, stuck });
  }

  async screenPng(): Promise<Buffer> {
    const response = await fetch(this.url('/screen.png'));
    if (!response.ok) throw new Error(`GET /screen.png: ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** The state most recently pushed on the event stream. */
  get current(): DesktopState | undefined {
    return this.latest;
  }

  /** Resolves with the first pushed state (the current one included) for which `test` holds. */
  async waitFor(test: (state: DesktopState) => boolean, timeoutMs: number, what = 'a state'): Promise<DesktopState> {
    await this.listen();
    if (this.latest && test(this.latest)) return this.latest;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        test,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last state: ${this.latest?.power} ${this.latest?.state} ${this.latest?.outOfService ?? ''}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Opens the event stream (once); resolves when the first state has arrived. */
  listen(): Promise<void> {
    if (this.connected) return this.connected;
    const abort = new AbortController();
    this.stream = abort;
    this.connected = new Promise<void>((ready, fail) => {
      let first = true;
      const run = async () => {
        const response = await fetch(this.url('/events'), { signal: abort.signal });
        if (!response.ok || !response.body) throw new Error(`GET /events: ${response.status}`);
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event !== 'state' || data === undefined) continue;
            this.onState(JSON.parse(data) as DesktopState);
            if (first) {
              first = false;
              ready();
            }
          }
        }
      };
      run().catch((error: unknown) => {
        if (first) fail(error as Error);
        for (const waiter of this.waiters) waiter.reject(new Error(`event stream ended: ${(error as Error).message}`));
      });
    });
    return this.connected;
  }

  close(): void {
    this.stream?.abort();
    for (const waiter of this.waiters) clearTimeout(waiter.timer);
    this.waiters.clear();
  }

  private onState(state: DesktopState): void {
    this.latest = state;
    for (const waiter of [...this.waiters]) {
      if (!waiter.test(state)) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve(state);
    }
  }
}
