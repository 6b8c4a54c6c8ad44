// What one sale costs on the wire: TCP connections and TLS handshakes accepted, API requests per
// route, and how many requests and answers broke the contract.
import type { Counters } from './types';

export class CounterSet {
  private values: Counters = fresh();

  connectionAccepted(): void {
    this.values.connections += 1;
  }

  tlsHandshakeDone(): void {
    this.values.tlsHandshakes += 1;
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
