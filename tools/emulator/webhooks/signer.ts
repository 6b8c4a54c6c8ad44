// Signs a webhook delivery as the Webhooks API's "request authentication" page documents: the body's
// SHA-256 in x-ms-content-sha256, and an HMAC-SHA256 with the registration's secret over
// "POST\n{pathAndQuery}\n{x-ms-date};{host};{x-ms-content-sha256}" in Authorization.
import { createHash, createHmac } from 'node:crypto';

export interface SignedHeaders {
  'x-ms-date': string;
  'x-ms-content-sha256': string;
  host: string;
  authorization: string;
}

export function contentHash(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('base64');
}

/** `date` is sent as x-ms-date in RFC 1123 form ("Thu, 30 Mar 2023 08:38:32 GMT"). */
export function signWebhook(secret: string, url: string, body: string, date: Date): SignedHeaders {
  const target = new URL(url);
  const pathAndQuery = target.pathname + target.search;
  const xMsDate = date.toUTCString();
  const hash = contentHash(body);
  const signature = createHmac('sha256', secret).update(`POST\n${pathAndQuery}\n${xMsDate};${target.host};${hash}`, 'utf8').digest('base64');
  return {
    'x-ms-date': xMsDate,
    'x-ms-content-sha256': hash,
    host: target.host,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}
