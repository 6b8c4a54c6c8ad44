// Writes an answer to the socket, whole or damaged on purpose. Each damage is what a client meets on
// a bad network or behind a bad gateway: the connection dies before or after the headers, the JSON
// stops half-way or does not parse, the body is far bigger than any device can hold, or it arrives
// a few bytes at a time.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ArmedFault } from './faults';
import type { Reply } from './replies';

const DEFAULT_OVERSIZE_BYTES = 1024 * 1024;
const DEFAULT_DRIP_CHUNK_BYTES = 16;
const DEFAULT_DRIP_DELAY_MS = 100;
/** Time for the headers to reach the client before the connection is killed. */
const HEADERS_GRACE_MS = 25;

/** Writes the reply as is. Returns the status sent. */
export function writeReply(res: ServerResponse, reply: { status: number; headers: Record<string, string>; body: string | Buffer }): number {
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  res.end(body);
  return reply.status;
}

/**
 * Carries out one of the transport faults (everything but 'latency' and 'status', which the
 * pipeline turns into an ordinary reply). Returns the status sent, or 0 when no headers were sent.
 */
export async function writeFaulty(res: ServerResponse, reply: Reply, fault: ArmedFault, rawSocket: Socket | undefined, signal: AbortSignal): Promise<number> {
  switch (fault.kind) {
    case 'reset-before-headers':
      resetConnection(res, rawSocket);
      return 0;
    case 'reset-after-headers': {
      const body = Buffer.from(reply.body, 'utf8');
      res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
      res.flushHeaders();
      await sleep(HEADERS_GRACE_MS, signal);
      resetConnection(res, rawSocket);
      return reply.status;
    }
    case 'truncated-json':
      // Well framed (Content-Length matches what is sent), so the client gets a complete HTTP answer
      // whose JSON simply stops.
      return writeReply(res, { ...reply, body: truncate(reply.body) });
    case 'malformed-json':
      return writeReply(res, { ...reply, body: malform(reply.body) });
    case 'oversized-body':
      return writeReply(res, { ...reply, body: oversize(reply.body, fault.sizeBytes ?? DEFAULT_OVERSIZE_BYTES) });
    case 'slow-drip':
      await drip(res, reply, fault.chunkBytes ?? DEFAULT_DRIP_CHUNK_BYTES, fault.delayMs ?? DEFAULT_DRIP_DELAY_MS, signal);
      return reply.status;
    default:
      return writeReply(res, reply);
  }
}

/** Kills the connection with a TCP reset where the socket allows it, else closes it abruptly. */
export function resetConnection(res: ServerResponse, rawSocket: Socket | undefined): void {
  const socket = rawSocket ?? res.socket;
  if (!socket || socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    // A TLS socket has no TCP handle of its own; without the raw socket, an abrupt close it is.
    socket.destroy();
  }
  if (res.socket && !res.socket.destroyed) res.socket.destroy();
}

/** Cuts the text to about half, never to the whole: always invalid JSON for an object or array. */
export function truncate(body: string): string {
  if (body.length <= 1) return '';
  return body.slice(0, Math.max(1, Math.floor(body.length / 2)));
}

/** A complete-looking answer that no JSON parser accepts (`NaN` is not JSON). */
export function malform(body: string): string {
  if (body.startsWith('{') || body.startsWith('[')) return `${body[0]}NaN,${body.slice(1)}`;
  return `NaN${body}`;
}

/** Pads an object answer with an extra property (still valid, still schema-conformant) to `size` bytes. */
export function oversize(body: string, size: number): string {
  const bytes = Buffer.byteLength(body);
  if (bytes >= size) return body;
  if (body.startsWith('{') && body.length > 2) {
    const filler = size - bytes - '"padding":"",'.length;
    return `{"padding":"${'x'.repeat(Math.max(0, filler))}",${body.slice(1)}`;
  }
  // Arrays and empty answers: JSON allows any amount of trailing whitespace.
  return body + ' '.repeat(size - bytes);
}

async function drip(res: ServerResponse, reply: Reply, chunkBytes: number, delayMs: number, signal: AbortSignal): Promise<void> {
  const body = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  res.flushHeaders();
  for (let offset = 0; offset < body.length; offset += chunkBytes) {
    await sleep(delayMs, signal);
    if (res.destroyed || signal.aborted) return;
    res.write(body.subarray(offset, offset + chunkBytes));
  }
  res.end();
}

/** Resolves after `ms`, or at once when the emulator closes. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
