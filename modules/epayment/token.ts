// The access token: fetched once, shared, renewed ahead of expiry. Inside the renewal window the
// current token is handed out at once and no renewal is started beside the call: with one
// connection per origin (the device) it would sit in front of the call. Renewal ahead of expiry is
// renewDue's (the machine's warm-up, off the customer's path), kept short; only a caller without a
// usable token waits, on the one shared renewal. An expired token is dropped, not kept in memory.
import type { TokenAnswer } from 'epayment/responses';
import type { Clock } from 'ports/clock';
import type { Log } from 'ports/log';

export class AccessTokenCache {
  // Runtime-private, so that no dump of the cache shows the token.
  #token: string | undefined;
  /** Clock times: renewal is due from renewAt; the token is used until usableUntil. */
  private renewAt = 0;
  private usableUntil = 0;
  private pending: Promise<string> | undefined;
  /** Tokens fetched since construction, for tests and the bench. */
  fetches = 0;

  constructor(
    /** `early`: a usable token is still there (the renewal may be kept short). */
    private readonly fetchToken: (early: boolean) => Promise<TokenAnswer>,
    private readonly clock: Clock,
    private readonly renewBeforeMs: number,
    private readonly log: Log,
  ) {}

  /** A token good for at least one more request. */
  get(): Promise<string> {
    const now = this.clock.now();
    const current = this.#token;
    if (current !== undefined && now < this.renewAt) return Promise.resolve(current);
    if (current === undefined || now >= this.usableUntil) {
      this.drop();
      return this.renew(false);
    }
    return Promise.resolve(current);
  }

  /** Off the customer's path (warm-up): waits for a renewal that is due; a token still usable covers a failed one. */
  renewDue(): Promise<string> {
    const current = this.#token;
    if (current === undefined || this.clock.now() >= this.usableUntil) return this.get();
    if (this.clock.now() < this.renewAt) return Promise.resolve(current);
    return this.renew(true).catch((error: unknown) => {
      if (this.#token !== current || this.clock.now() >= this.usableUntil) throw error;
      this.log.warn('access token: renewal failed; using the current token until it expires');
      return current;
    });
  }

  /** After a 401 with `token`: forget it, unless a newer one has replaced it already. */
  invalidate(token: string): void {
    if (this.#token === token) this.drop();
  }

  drop(): void {
    this.#token = undefined;
    this.renewAt = 0;
    this.usableUntil = 0;
  }

  /** `text` with the current token (if any) replaced; for log lines and messages. */
  redact(text: string): string {
    const token = this.#token;
    return token !== undefined && token.length >= 8 && text.includes(token) ? text.split(token).join('[redacted]') : text;
  }

  /** Milliseconds until renewal is due; 0 when there is no token or it is due now. */
  freshForMs(): number {
    return this.#token === undefined ? 0 : Math.max(0, this.renewAt - this.clock.now());
  }

  private renew(early: boolean): Promise<string> {
    if (this.pending) return this.pending;
    const askedAt = this.clock.now();
    const pending = this.fetchToken(early).then((answer) => {
      this.fetches++;
      const lifetime = answer.lifetimeMs;
      this.#token = answer.accessToken;
      this.renewAt = askedAt + lifetime - Math.min(this.renewBeforeMs, lifetime / 2);
      // Stop using it a little before the end, so a request does not arrive with a dead token.
      this.usableUntil = askedAt + lifetime - Math.min(30_000, lifetime / 4);
      return answer.accessToken;
    });
    this.pending = pending;
    const done = () => {
      if (this.pending === pending) this.pending = undefined;
    };
    pending.then(done, done);
    return pending;
  }
}
