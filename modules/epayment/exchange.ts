// One HTTP exchange with a deadline kept by the Clock port, whatever the transport does: a host
// that never answers still yields a 'timeout' error. The transport is told the same timeout and
// normally ends first (closing its socket); this guard is the backstop.
import { EpaymentError, TransportError } from 'epayment/errors';
import type { HttpRequest, HttpResponse, HttpTransport } from 'epayment/http-transport';
import type { Clock } from 'ports/clock';

/** How much later than the transport's own timeout the guard fires. */
export const GUARD_SLACK_MS = 500;

export function exchange(transport: HttpTransport, clock: Clock, request: HttpRequest): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const timer = clock.setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(new TransportError('timeout', `${request.method} ${pathOf(request.url)}: no answer within ${request.timeoutMs} ms`));
    }, request.timeoutMs + GUARD_SLACK_MS);
    let pending: Promise<HttpResponse>;
    try {
      pending = transport.request(request);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (response) => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        if (response.body.length > request.maxResponseBytes) {
          // A transport that did not enforce the bound: still refuse the answer.
          reject(new TransportError('too-large', `${request.method} ${pathOf(request.url)}: answer body over ${request.maxResponseBytes} bytes`));
          return;
        }
        resolve(response);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        reject(error instanceof EpaymentError ? error : new TransportError('network', `${request.method} ${pathOf(request.url)}: transport failed`));
      },
    );
  });
}

/** The URL without scheme and host, for messages. */
export function pathOf(url: string): string {
  const match = /^[a-zA-Z]+:\/\/[^/]+(\/[^?#]*)?/.exec(url);
  return match?.[1] ?? url;
}
