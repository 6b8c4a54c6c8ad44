/**
 * The one door to the network. Small on purpose so that every host can implement it: Node's http
 * stack, Moddable's HTTP client on the device, an in-memory fake in tests. Strings in, strings out.
 */
export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Absolute URL: base URL + API path. Never carries a secret. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** The whole exchange (connect, send, headers, body) must finish within this. */
  timeoutMs: number;
  /** A body longer than this is refused without being read whole: reject with TransportError 'too-large'. */
  maxResponseBytes: number;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

export interface HttpTransport {
  /** Resolves with any HTTP answer (4xx and 5xx included); rejects only with a TransportError. */
  request(request: HttpRequest): Promise<HttpResponse>;
  /** Drops kept-alive connections; optional. */
  close?(): void;
}
