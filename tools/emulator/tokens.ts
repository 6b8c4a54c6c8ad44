// Access tokens: JWT-shaped strings (header.payload.signature, over 1000 characters like the real
// ones, so that clients size their buffers for them) that the emulator remembers with their expiry
// on the emulator clock. Only the emulator's own memory makes a token valid; nothing is verified
// cryptographically, because nobody but the emulator ever checks them.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from './clock';

export type TokenCheck = 'valid' | 'missing' | 'malformed' | 'unknown' | 'expired';

export interface SavedToken {
  token: string;
  expiresAt: number;
}

export interface TokenResponse {
  token_type: 'Bearer';
  expires_in: string;
  ext_expires_in: string;
  expires_on: string;
  not_before: string;
  resource: string;
  access_token: string;
}

// An expired token is still recognised (401 "expired", not "unknown") for this long.
const FORGET_AFTER_MS = 24 * 3600 * 1000;

export class TokenIssuer {
  private readonly tokens = new Map<string, number>();

  private lifetimeSeconds: number;

  constructor(
    private readonly clock: Clock,
    private readonly defaultLifetimeSeconds: number,
  ) {
    this.lifetimeSeconds = defaultLifetimeSeconds;
  }

  /** Tokens issued from now on live this long (undefined: the emulator's default again). */
  setLifetime(seconds: number | undefined): void {
    this.lifetimeSeconds = seconds ?? this.defaultLifetimeSeconds;
  }

  issue(merchantSerialNumber: string | undefined): TokenResponse {
    const nowSeconds = this.clock.nowSeconds();
    const expiresOn = nowSeconds + this.lifetimeSeconds;
    const accessToken = makeJwt(nowSeconds, expiresOn, merchantSerialNumber);
    this.forgetOld();
    this.tokens.set(accessToken, expiresOn * 1000);
    return {
      token_type: 'Bearer',
      // The service sends these numbers as strings; the spec says so too.
      expires_in: String(this.lifetimeSeconds),
      ext_expires_in: String(this.lifetimeSeconds),
      expires_on: String(expiresOn),
      not_before: String(nowSeconds),
      resource: '00000002-0000-0000-c000-000000000000',
      access_token: accessToken,
    };
  }

  /** Checks an Authorization header value. The scheme word is case-insensitive, as in HTTP. */
  check(authorization: string | undefined): TokenCheck {
    if (authorization === undefined || authorization.trim() === '') return 'missing';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
    if (!match) return 'malformed';
    const expiresAt = this.tokens.get(match[1]!);
    if (expiresAt === undefined) return 'unknown';
    return this.clock.now() < expiresAt ? 'valid' : 'expired';
  }

  save(): SavedToken[] {
    return [...this.tokens].map(([token, expiresAt]) => ({ token, expiresAt }));
  }

  load(saved: SavedToken[]): void {
    this.tokens.clear();
    for (const { token, expiresAt } of saved) this.tokens.set(token, expiresAt);
  }

  clear(): void {
    this.tokens.clear();
  }

  private forgetOld(): void {
    const cutoff = this.clock.now() - FORGET_AFTER_MS;
    for (const [token, expiresAt] of this.tokens) if (expiresAt < cutoff) this.tokens.delete(token);
  }
}

function makeJwt(issuedAt: number, expiresOn: number, merchantSerialNumber: string | undefined): string {
  const keyId = base64url(randomBytes(20));
  const header = { typ: 'JWT', alg: 'RS256', x5t: keyId, kid: keyId };
  const tenant = randomUUID();
  const payload = {
    aud: '00000002-0000-0000-c000-000000000000',
    iss: `https://sts.windows.net/${tenant}/`,
    iat: issuedAt,
    nbf: issuedAt,
    exp: expiresOn,
    aio: base64url(randomBytes(48)),
    appid: randomUUID(),
    appidacr: '1',
    idp: `https://sts.windows.net/${tenant}/`,
    oid: randomUUID(),
    rh: base64url(randomBytes(40)),
    sub: randomUUID(),
    tid: tenant,
    uti: base64url(randomBytes(16)),
    ver: '1.0',
    ...(merchantSerialNumber ? { msn: merchantSerialNumber } : {}),
    emulator: 'qr-vending ePayment emulator',
  };
  const encode = (value: object): string => base64url(Buffer.from(JSON.stringify(value)));
  return `${encode(header)}.${encode(payload)}.${base64url(randomBytes(256))}`;
}

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}
