/** A QR symbol without its quiet zone: `modules[y * size + x]` is 1 for a dark module, 0 for light. */
export interface QrMatrix {
  readonly size: number;
  readonly modules: Uint8Array;
}

/** Turns text into a QR matrix; the host chooses the implementation (Nayuki's TypeScript or the SDK's native one). */
export type QrEncoder = (text: string) => QrMatrix;

export type QrErrorReason = 'empty' | 'too-long' | 'does-not-fit';

export class QrError extends Error {
  override name = 'QrError';
  readonly reason: QrErrorReason;
  constructor(reason: QrErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

// ISO/IEC 18004: version v has 17 + 4v modules a side, versions 1 to 40.
export const MIN_VERSION = 1;
export const MAX_VERSION = 40;
export function versionOfSize(size: number): number {
  return (size - 17) / 4;
}
