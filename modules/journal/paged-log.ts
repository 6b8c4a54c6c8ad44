// A bounded log over a ring of `pages` store keys, `<name>.0` ... `<name>.<pages-1>`. Each page is
// one envelope (journal/envelope, marker 'L1') holding a JSON array of up to `entriesPerPage`
// entries. Page number `seq` always lives at key index seq % pages; the page with the highest seq
// is the head, where appends go. A full head starts page seq+1, which overwrites the oldest page.
//
// - append rewrites only the head page (or starts the next one): one store.set per append.
// - update rewrites only the page holding the newest matching entry, keeping its seq.
// - A torn or lost page costs its own entries and nothing else; it is never trusted. A page at the
//   wrong index, or older than the ring can hold, is ignored too.
// - The log keeps the newest entries: between (pages - 1) * entriesPerPage + 1 and
//   pages * entriesPerPage of them once the ring has gone round (fewer if a page is closed early
//   because the next entry would push it over maxBytes).
// The head's place is remembered after the first scan, so an append reads one page and writes one.
import { decodeEnvelope, encodeEnvelope, isSchemaVersion, type Envelope } from 'journal/envelope';
import { JournalError } from 'journal/errors';
import { utf8Length } from 'journal/utf8-length';
import { MAX_KEY_LENGTH, MAX_VALUE_BYTES, type KeyValueStore } from 'ports/store';

export interface PagedLogOptions<E> {
  /** Schema version of the entries this code writes, stored in each page. */
  version: number;
  /** Number of store keys in the ring. Default 5, at least 2. */
  pages?: number;
  /** Entries per page. Default 10. */
  entriesPerPage?: number;
  /** Limit for one encoded page in UTF-8 bytes. Default 1024, at most 4000. */
  maxBytes?: number;
  /** Turns an entry from a page written with another version into today's shape; without it entries are returned as stored. */
  upgrade?: (entry: unknown, version: number) => E;
}

/** Marks a store value as a PagedLog page, format 1. */
export const PAGE_MARKER = 'L1';

interface Head {
  seq: number;
  count: number;
}

export class PagedLog<E> {
  readonly name: string;
  readonly version: number;
  readonly pages: number;
  readonly entriesPerPage: number;
  readonly maxBytes: number;
  /** The most entries the log holds: pages * entriesPerPage. */
  readonly capacity: number;
  /** store.set calls made by this log. */
  writes = 0;
  private readonly store: KeyValueStore;
  private readonly upgrade: ((entry: unknown, version: number) => E) | undefined;
  /** The head page once scanned; null when the log is empty; undefined before the scan. */
  private head: Head | null | undefined;

  constructor(store: KeyValueStore, name: string, options: PagedLogOptions<E>) {
    const pages = options.pages ?? 5;
    const entriesPerPage = options.entriesPerPage ?? 10;
    const maxBytes = options.maxBytes ?? 1024;
    if (!Number.isInteger(pages) || pages < 2) throw new JournalError('config', String(name), `journal log "${name}": pages must be a whole number >= 2`);
    if (typeof name !== 'string' || name.length === 0 || name.length + 1 + String(pages - 1).length > MAX_KEY_LENGTH) {
      throw new JournalError('config', String(name), `journal log name "${name}" makes keys longer than ${MAX_KEY_LENGTH} characters (keys are <name>.0 to <name>.${pages - 1})`);
    }
    if (!Number.isInteger(entriesPerPage) || entriesPerPage < 1) throw new JournalError('config', name, `journal log "${name}": entriesPerPage must be a whole number >= 1`);
    if (!isSchemaVersion(options.version)) throw new JournalError('config', name, `journal log "${name}": version must be a whole number >= 0`);
    if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_VALUE_BYTES) {
      throw new JournalError('config', name, `journal log "${name}": maxBytes must be 1-${MAX_VALUE_BYTES}`);
    }
    this.store = store;
    this.name = name;
    this.version = options.version;
    this.pages = pages;
    this.entriesPerPage = entriesPerPage;
    this.maxBytes = maxBytes;
    this.capacity = pages * entriesPerPage;
    this.upgrade = options.upgrade;
  }

  /**
   * Adds `entry` as the newest: one store.set. Returns the entries it pushed out of the ring (the
   * oldest page, when a new page takes its place), so a caller can count what it loses. Throws
   * JournalError, writing nothing, if it cannot fit even a page of its own.
   */
  append(entry: E): E[] {
    const json = this.encodeEntry(entry);
    const head = this.findHead();
    if (head && head.count < this.entriesPerPage) {
      const page = this.readPage(head.seq);
      if (page && page.version === this.version) {
        const payload = `${page.payload.slice(0, -1)}${head.count > 0 ? ',' : ''}${json}]`;
        const text = encodeEnvelope(PAGE_MARKER, this.version, head.seq, payload);
        if (utf8Length(text) <= this.maxBytes) {
          this.put(head.seq, text, head.count + 1);
          return [];
        }
      }
    }
    // Start the next page: a full head, one that would grow too big, an older format, or no head.
    const seq = head ? head.seq + 1 : 0;
    const text = this.encodePage(seq, `[${json}]`);
    const overwritten = seq >= this.pages ? this.readPage(seq - this.pages) : undefined;
    const dropped = overwritten ? this.parseEntries(overwritten) ?? [] : [];
    this.put(seq, text, 1);
    return dropped;
  }

  /**
   * Replaces the newest entry for which `match` is true with `change(entry)`, rewriting only its
   * page (one store.set). False, writing nothing, when no entry matches.
   */
  update(match: (entry: E) => boolean, change: (entry: E) => E): boolean {
    const pages = this.intactPages();
    for (let p = pages.length - 1; p >= 0; p--) {
      const page = pages[p]!;
      const entries = this.parseEntries(page);
      if (!entries) continue;
      for (let i = entries.length - 1; i >= 0; i--) {
        if (!match(entries[i]!)) continue;
        entries[i] = change(entries[i]!);
        this.encodeEntry(entries[i]!); // throws, writing nothing, if the changed entry has no JSON form
        // Without an upgrade function the other entries keep their old shape, so the page keeps its version.
        const text = this.encodePage(page.seq, JSON.stringify(entries), this.upgrade ? this.version : page.version);
        const head = this.findHead();
        this.put(page.seq, text, head && head.seq === page.seq ? entries.length : -1);
        return true;
      }
    }
    return false;
  }

  /** Every intact entry, oldest first, newest last. */
  entries(): E[] {
    const all: E[] = [];
    for (const page of this.intactPages()) {
      const entries = this.parseEntries(page);
      if (entries) for (const entry of entries) all.push(entry);
    }
    return all;
  }

  private encodeEntry(entry: E): string {
    const json = JSON.stringify(entry) as string | undefined;
    if (typeof json !== 'string') throw new JournalError('unencodable', this.name, `journal log "${this.name}": the entry has no JSON form`);
    return json;
  }

  private encodePage(seq: number, payload: string, version = this.version): string {
    const text = encodeEnvelope(PAGE_MARKER, version, seq, payload);
    const bytes = utf8Length(text);
    if (bytes > this.maxBytes) {
      throw new JournalError('too-large', this.name, `journal log "${this.name}": page is ${bytes} bytes, over the limit of ${this.maxBytes}`, { bytes, limit: this.maxBytes });
    }
    return text;
  }

  /** Writes page `seq`; `count` is its entry count when it is (or becomes) the head, -1 otherwise. */
  private put(seq: number, text: string, count: number): void {
    const head = this.head;
    this.head = undefined; // until set returns, the store's state is unknown
    this.writes++;
    this.store.set(this.key(seq), text);
    this.head = count >= 0 ? { seq, count } : head;
  }

  private key(seq: number): string {
    return `${this.name}.${seq % this.pages}`;
  }

  /** Page `seq` if it is intact and in its place. */
  private readPage(seq: number): Envelope | undefined {
    const page = decodeEnvelope(PAGE_MARKER, this.store.get(this.key(seq)));
    return page && page.seq === seq ? page : undefined;
  }

  /** The intact pages of the ring, oldest first. */
  private intactPages(): Envelope[] {
    const found: Envelope[] = [];
    let newest = -1;
    for (let index = 0; index < this.pages; index++) {
      const page = decodeEnvelope(PAGE_MARKER, this.store.get(`${this.name}.${index}`));
      if (!page || page.seq % this.pages !== index) continue;
      found.push(page);
      if (page.seq > newest) newest = page.seq;
    }
    // Only the last `pages` page numbers can still be current; anything older is a leftover.
    const pages = found.filter((page) => page.seq > newest - this.pages);
    pages.sort((a, b) => a.seq - b.seq);
    return pages;
  }

  private parseEntries(page: Envelope): E[] | undefined {
    let entries: unknown;
    try {
      entries = JSON.parse(page.payload);
    } catch {
      return undefined;
    }
    if (!Array.isArray(entries)) return undefined;
    if (page.version !== this.version && this.upgrade) {
      for (let i = 0; i < entries.length; i++) entries[i] = this.upgrade(entries[i], page.version);
    }
    return entries as E[];
  }

  private findHead(): Head | null {
    if (this.head !== undefined) return this.head;
    const pages = this.intactPages();
    const newest = pages[pages.length - 1];
    if (!newest) return (this.head = null);
    // A head whose payload is not an array cannot take entries: count it as full, so the next append starts a page.
    const entries = this.parseEntries(newest);
    return (this.head = { seq: newest.seq, count: entries ? entries.length : this.entriesPerPage });
  }
}
