// The fleet's own client of the Vipps MobilePay APIs (webhooks, refunds, the report): the merchant's
// keys come from the environment, never from the database or the page. One access token is kept
// and renewed a minute before it expires; every call has a timeout.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface VippsKeys {
  /** https://apitest.vipps.no, or the emulator's base URL. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  msn: string;
  /** PEM the service's certificate chains to (the emulator's root); absent: the system's CAs. */
  ca?: string;
}

export interface VippsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or undefined when there is none or it is not JSON. */
  body: unknown;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

const SYSTEM_HEADERS = { 'Vipps-System-Name': 'qr-vending-fleet', 'Vipps-System-Version': '0.1.0' };
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** The keys from EPAYMENT_* (the same names the machine and the emulator read), or undefined when the fleet has none. */
export function vippsKeysFromEnv(env: NodeJS.ProcessEnv = process.env, ca?: string): VippsKeys | undefined {
  const { EPAYMENT_BASE_URL: baseUrl, EPAYMENT_CLIENT_ID: clientId, EPAYMENT_CLIENT_SECRET: clientSecret, EPAYMENT_SUBSCRIPTION_KEY: subscriptionKey, EPAYMENT_MSN: msn } = env;
  if (!baseUrl) return undefined;
  const missing = Object.entries({ EPAYMENT_CLIENT_ID: clientId, EPAYMENT_CLIENT_SECRET: clientSecret, EPAYMENT_SUBSCRIPTION_KEY: subscriptionKey, EPAYMENT_MSN: msn })
    .filter(([, value]) => !value).map(([name]) => name);
  if (missing.length > 0) throw new Error(`EPAYMENT_BASE_URL is set but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not`);
  return { baseUrl, clientId: clientId!, clientSecret: clientSecret!, subscriptionKey: subscriptionKey!, msn: msn!, ca };
}

export class VippsClient {
  private token: { value: string; renewAtMs: number } | undefined;

  constructor(readonly keys: VippsKeys, private readonly now: () => number = Date.now) {
    const url = new URL(keys.baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`the service's base URL must be http(s), not ${keys.baseUrl}`);
  }

  get msn(): string {
    return this.keys.msn;
  }

  /** An authenticated call: Authorization, the subscription key, the MSN and the system headers. */
  async call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: CallOptions = {}): Promise<VippsAnswer> {
    const token = await this.accessToken();
    return this.send(method, path, {
      ...options,
      headers: { Authorization: `Bearer ${token}`, 'Ocp-Apim-Subscription-Key': this.keys.subscriptionKey, 'Merchant-Serial-Number': this.keys.msn, ...SYSTEM_HEADERS, ...options.headers },
    });
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.renewAtMs) return this.token.value;
    const answer = await this.send('POST', '/accesstoken/get', {
      headers: { client_id: this.keys.clientId, client_secret: this.keys.clientSecret, 'Ocp-Apim-Subscription-Key': this.keys.subscriptionKey, 'Merchant-Serial-Number': this.keys.msn, ...SYSTEM_HEADERS },
    });
    const body = answer.body as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (answer.status !== 200 || typeof body?.access_token !== 'string') throw new Error(`access token: HTTP ${answer.status}`);
    const lifetimeSeconds = Number(body.expires_in);
    const renewInMs = Number.isFinite(lifetimeSeconds) && lifetimeSeconds > 120 ? (lifetimeSeconds - 60) * 1000 : 60_000;
    this.token = { value: body.access_token, renewAtMs: this.now() + renewInMs };
    return this.token.value;
  }

  private send(method: string, path: string, options: CallOptions): Promise<VippsAnswer> {
    const url = new URL(path, this.keys.baseUrl);
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    } else if (method === 'POST') headers['Content-Length'] = '0';
    const requester = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<VippsAnswer>((resolve, reject) => {
      const req = requester(url, { method, headers, ca: this.keys.ca, timeout: options.timeoutMs ?? 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(new Error(`${method} ${url.pathname}: answer over ${MAX_ANSWER_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: no answer within ${options.timeoutMs ?? 10_000} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
