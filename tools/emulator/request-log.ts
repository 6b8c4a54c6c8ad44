// Every API request with what the contract check found, and every answer of the emulator's own that
// broke the contract. Tests assert that a client's requests all validated and that the emulator
// never answered outside the spec.
import type { RecordedRequest } from './types';

/** Enough for any test or benchmark run; a long manual session keeps the most recent ones. */
const MAX_RECORDED = 10_000;

export class RequestLog {
  private recorded: RecordedRequest[] = [];
  private responseErrors: string[] = [];

  record(request: RecordedRequest): RecordedRequest {
    this.recorded.push(request);
    if (this.recorded.length > MAX_RECORDED) this.recorded.splice(0, this.recorded.length - MAX_RECORDED);
    return request;
  }

  responseInvalid(errors: string[]): void {
    this.responseErrors.push(...errors);
    if (this.responseErrors.length > MAX_RECORDED) this.responseErrors.splice(0, this.responseErrors.length - MAX_RECORDED);
  }

  requests(): RecordedRequest[] {
    return structuredClone(this.recorded);
  }

  responseValidationErrors(): string[] {
    return [...this.responseErrors];
  }

  clear(): void {
    this.recorded = [];
    this.responseErrors = [];
  }
}
