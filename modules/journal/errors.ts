// Everything the journal throws on purpose is a JournalError; callers branch on `kind`. A
// JournalError is thrown before any store write, so the stored records are as they were.

export type JournalErrorKind =
  | 'too-large' // the encoded slot or page is over its byte limit
  | 'unencodable' // JSON.stringify gave no text (undefined, a function)
  | 'config'; // a name that makes keys too long, a bad limit or version

export class JournalError extends Error {
  override name = 'JournalError';
  readonly kind: JournalErrorKind;
  /** The record's or log's name, as given to its constructor. */
  readonly record: string;
  /** For 'too-large': the encoded size in UTF-8 bytes, and the limit. */
  readonly bytes: number | undefined;
  readonly limit: number | undefined;
  constructor(kind: JournalErrorKind, record: string, message: string, sizes: { bytes?: number; limit?: number } = {}) {
    super(message);
    this.kind = kind;
    this.record = record;
    this.bytes = sizes.bytes;
    this.limit = sizes.limit;
  }
}

export function isJournalError(error: unknown, kind?: JournalErrorKind): error is JournalError {
  return error instanceof JournalError && (kind === undefined || error.kind === kind);
}
