// The network cable of the desktop machine: an HttpTransport that passes requests through while up,
// refuses new ones while down, and breaks those in flight at the moment it goes down (their
// answers are lost, though the service may have acted on them, as with a real cut).
import { TransportError } from 'epayment/errors';
import type { HttpRequest, HttpResponse, HttpTransport } from 'epayment/http-transport';

export class NetworkSwitch implements HttpTransport {
  private upNow: boolean;
  private readonly inFlight = new Set<(error: Error) => void>();

  constructor(private readonly inner: HttpTransport, up = true) {
    this.upNow = up;
  }

  get up(): boolean {
    return this.upNow;
  }

  set(up: boolean): void {
    this.upNow = up;
    if (up) return;
    for (const fail of [...this.inFlight]) fail(new TransportError('network', 'network went down during the request'));
  }

  request(request: HttpRequest): Promise<HttpResponse> {
    if (!this.upNow) return Promise.reject(new TransportError('network', 'no network'));
    return new Promise<HttpResponse>((resolve, reject) => {
      const fail = (error: Error) => {
        this.inFlight.delete(fail);
        reject(error);
      };
      this.inFlight.add(fail);
      this.inner.request(request).then(
        (response) => {
          if (!this.inFlight.delete(fail)) return;
          resolve(response);
        },
        (error: unknown) => {
          if (!this.inFlight.delete(fail)) return;
          reject(error);
        },
      );
    });
  }
}
