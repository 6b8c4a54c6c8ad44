// What a handler answers: status, headers and the body as text. The transport writes it (or breaks
// it on purpose, for a fault); the contract check reads it. Errors follow the service's RFC 7807
// shape, the four-digit code in extraDetails as {name: 'ErrorCode', reason: '6080'}.
import { randomBytes } from 'node:crypto';
import type { ValidationIssue } from './openapi';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  423: 'Locked',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function json(status: number, value: unknown, contentType = 'application/json; charset=utf-8'): Reply {
  return { status, headers: { 'content-type': contentType }, body: JSON.stringify(value) };
}

export function empty(status: number): Reply {
  return { status, headers: {}, body: '' };
}

export interface ProblemOptions {
  /** The four-digit ErrorCode, where the real service gives one. */
  code?: string;
  /** Field-level reasons (validation errors), sent as extraDetails. */
  issues?: ValidationIssue[];
  /** The request path as the service shows it. */
  instance?: string;
  headers?: Record<string, string>;
}

export function problem(status: number, title: string, detail: string, options: ProblemOptions = {}): Reply {
  const extraDetails = [
    ...(options.code ? [{ name: 'ErrorCode', reason: options.code }] : []),
    ...(options.issues ?? []).map((issue) => ({ name: issue.name, reason: issue.reason })),
  ];
  const body = {
    type: `https://httpstatuses.io/${status}`,
    title,
    detail,
    ...(options.instance ? { instance: options.instance } : {}),
    status,
    traceId: traceId(),
    ...(extraDetails.length > 0 ? { extraDetails } : {}),
  };
  return { status, headers: { 'content-type': 'application/problem+json; charset=utf-8', ...options.headers }, body: JSON.stringify(body) };
}

/** A W3C traceparent, the form the service's traceId takes. */
function traceId(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}
