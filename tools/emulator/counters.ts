// What one sale costs on the wire: the connections (and their TLS handshakes) that carried API
// requests, API requests per route, and how many requests and answers broke the contract. A
// connection that only carried admin calls, pages or a favicon is not the device's cost: not counted.
import type { Counters } from './types';

export class CounterSet {
  private values: Counters = fresh();
  // Connections already counted. Kept across reset(): a connection kept alive from before a reset
  // is not a new connection for the sale measured after it.
  private readonly counted = new WeakSet<object>();

  /** Called for every API request; the first one on a connection counts it, and its handshake when TLS. */
  apiRequestOn(connection: object, tls: boolean): void {
    if (this.counted.has(connection)) return;
    this.counted.add(connection);
    this.values.connections += 1;
    if (tls) this.values.tlsHandshakes += 1;
  }

  request(route: string): void {
    this.values.requests[route] = (this.values.requests[route] ?? 0) + 1;
  }

  invalidRequest(): void {
    this.values.invalidRequests += 1;
  }

  invalidResponse(): void {
    this.values.invalidResponses += 1;
  }

  snapshot(): Counters {
    return structuredClone(this.values);
  }

  reset(): void {
    this.values = fresh();
  }
}

function fresh(): Counters {
  return { connections: 0, tlsHandshakes: 0, requests: {}, invalidRequests: 0, invalidResponses: 0 };
}
