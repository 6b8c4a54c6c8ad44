// One POST of a webhook to the receiver over its own connection (closed afterwards, so that close()
// leaves no socket behind): the status, or why there was none.
import http from 'node:http';
import https from 'node:https';

export interface SendOutcome {
  status?: number;
  error?: string;
}

export function postWebhook(url: string, headers: Record<string, string>, body: string, timeoutMs: number, signal: AbortSignal): Promise<SendOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ error: 'closing' });
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (outcome: SendOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const req = transport.request(target, {
      method: 'POST',
      agent: false,
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) },
    });
    // "No answer within the timeout" covers the whole exchange, the body of the answer included.
    const timer = setTimeout(() => {
      finish({ error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    const onAbort = (): void => {
      finish({ error: 'closing' });
      req.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      res.on('end', () => finish({ status }));
      res.on('error', () => finish({ status }));
      res.on('close', () => finish({ status }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
    req.end(body);
  });
}
