// An error answer becomes an ApiError carrying the HTTP status, the four-digit ErrorCode, title and
// trace id from problem+json. A body that is not problem+json (a proxy's HTML page) still gives
// an ApiError with the status: the status alone decides what to do next.
import { ApiError, cleanText } from 'epayment/errors';
import type { HttpResponse } from 'epayment/http-transport';

const CODE = (): RegExp => /^[0-9]{1,6}$/;

/** Retry-After in delta-seconds; HTTP dates are ignored (the device's clock may not be wall time). */
export function retryAfterMs(headers: Record<string, string>): number | undefined {
  const value = headers['retry-after'];
  if (value === undefined || !/^\s*[0-9]{1,6}\s*$/.test(value)) return undefined;
  return Number(value.trim()) * 1000;
}

function problemFields(body: string): { title?: string; traceId?: string; code?: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof json !== 'object' || json === null) return {};
  const p = json as Record<string, unknown>;
  const fields: { title?: string; traceId?: string; code?: string } = {};
  if (typeof p.title === 'string') fields.title = p.title;
  if (typeof p.traceId === 'string') fields.traceId = p.traceId;
  if (Array.isArray(p.extraDetails)) {
    for (const detail of p.extraDetails) {
      if (typeof detail !== 'object' || detail === null) continue;
      const { name, reason } = detail as Record<string, unknown>;
      if (typeof name === 'string' && name.toLowerCase() === 'errorcode' && typeof reason === 'string' && CODE().test(reason)) {
        fields.code = reason;
        break;
      }
    }
  }
  return fields;
}

/** `redact` scrubs known secrets from server-provided text before it goes into a message. */
export function apiError(what: string, response: HttpResponse, redact: (text: string) => string = (text) => text): ApiError {
  const { title, traceId, code } = problemFields(response.body);
  const cleanTitle = title === undefined ? undefined : cleanText(redact(title));
  const cleanTrace = traceId === undefined ? undefined : cleanText(redact(traceId), 100);
  let message = `${what}: HTTP ${response.status}`;
  if (code !== undefined) message += ` ErrorCode ${code}`;
  if (cleanTitle) message += ` "${cleanTitle}"`;
  if (cleanTrace) message += ` traceId ${cleanTrace}`;
  const details: { code?: string; title?: string; traceId?: string; retryAfterMs?: number } = {};
  if (code !== undefined) details.code = code;
  if (cleanTitle !== undefined) details.title = cleanTitle;
  if (cleanTrace !== undefined) details.traceId = cleanTrace;
  const retryAfter = retryAfterMs(response.headers);
  if (retryAfter !== undefined) details.retryAfterMs = retryAfter;
  return new ApiError(message, response.status, details);
}
