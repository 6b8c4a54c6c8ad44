// The simulator's stand-in for ECMA-419 `embedded:io/serial` (it has no UART for the console), so
// the device's own hosts/moddable/serial-lines.ts runs unchanged. Bytes "received" are those
// appended to the file named by mc/config `serialIn`; bytes written go into a 128-byte "FIFO" that
// the "wire" empties a moment later, tracing each line as `serial> <line>`, so back-pressure and
// onWritable are exercised as on the ESP32. It takes only the console's own options (UART0, TX 1,
// RX 3, 115200 baud, buffers) and throws without `serialIn`, as the device's throws for a port it
// cannot open.
//
// Deliberately simple about when it calls back: onReadable and onWritable are called only from its
// one timer's callback, never from inside read(), write() or the constructor; one non-repeating
// timer is pending at a time (set again at the end of each tick, never cleared from its own
// callback); read() hands out a copy; write() copies what it is given before returning.
import config from 'mc/config';
import { File } from 'file';
import Timer from 'timer';

/** How often the input file is looked at. */
const POLL_MS = 50;
/** The "UART"'s transmit FIFO. */
const FIFO_BYTES = 128;
/** How long the wire takes to send a full FIFO (128 bytes at 115200 baud is about 11 ms). */
const DRAIN_MS = 11;
/** Received bytes held for the app to read: the input file is read no further ahead than this. */
const MAX_RECEIVED_BYTES = 512;
/** A line longer than this is traced in pieces (the console's answers are far shorter). */
const MAX_TRACED_LINE = 1024;

interface Options {
  port: number;
  transmit: number;
  receive: number;
  baud: number;
  format?: 'buffer' | 'number';
  target?: unknown;
  onReadable?: (this: SerialFile, count: number) => void;
  onWritable?: (this: SerialFile, count: number) => void;
}

export default class SerialFile {
  readonly target: unknown;
  #path: string;
  /** Where the next unread byte of the input file is. */
  #position: number;
  #received = new Uint8Array(0);
  /** Bytes written and not yet "sent" (the FIFO's fill). */
  #queued = 0;
  /** write() was called since onWritable was last called: call it again once there is room. */
  #wroteSinceWritable = false;
  #line: number[] = [];
  #timer: Timer | undefined;
  #inTick = false;
  #closed = false;
  #sinceDrain = 0;
  #untilPoll = 0;
  #onReadable: Options['onReadable'];
  #onWritable: Options['onWritable'];

  constructor(options: Options) {
    if (options.port !== 0 || options.transmit !== 1 || options.receive !== 3 || options.baud !== 115200) {
      throw new RangeError(`the console stand-in is UART0 (TX 1, RX 3, 115200 baud), not port ${options.port}`);
    }
    if (options.format !== 'buffer') throw new RangeError('the console stand-in reads and writes buffers');
    const path = (config as Record<string, unknown>).serialIn;
    if (typeof path !== 'string' || path === '') throw new Error('no serialIn file: the simulator has no console');
    this.#path = path;
    this.target = options.target;
    this.#onReadable = options.onReadable;
    this.#onWritable = options.onWritable;
    // Lines already in the file when the app starts were meant for an earlier run.
    this.#position = File.exists(path) ? fileLength(path) : 0;
    // As a UART does once it is open: room to write (from the first tick, not from here).
    this.#wroteSinceWritable = true;
    this.#timer = Timer.set(() => this.#tick(), 0);
  }

  /** Up to `count` received bytes (all of them without `count`), or undefined when there are none. */
  read(count?: number): ArrayBuffer | undefined {
    if (this.#closed) throw new Error('closed');
    const available = this.#received.length;
    const taken = count === undefined ? available : Math.min(Math.max(0, Math.floor(count)), available);
    if (taken === 0) return undefined;
    const copy = this.#received.slice(0, taken);
    this.#received = this.#received.slice(taken);
    return copy.buffer;
  }

  /** Queues the bytes for the wire; more than the FIFO has room for is refused, as the device's. */
  write(buffer: ArrayBuffer | ArrayBufferView): void {
    if (this.#closed) throw new Error('closed');
    const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    if (bytes.length > FIFO_BYTES - this.#queued) throw new Error('output full');
    this.#queued += bytes.length;
    this.#wroteSinceWritable = true;
    // Copied now: the caller may reuse its buffer once write returns.
    for (let i = 0; i < bytes.length; i++) this.#sendByte(bytes[i]!);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // From inside a tick no timer is pending (the tick sets the next one last, and not once closed).
    if (!this.#inTick && this.#timer !== undefined) Timer.clear(this.#timer);
    this.#timer = undefined;
  }

  #sendByte(byte: number): void {
    if (byte === 13) return;
    if (byte !== 10) {
      this.#line.push(byte);
      if (this.#line.length < MAX_TRACED_LINE) return;
    }
    trace(`serial> ${String.fromArrayBuffer(Uint8Array.from(this.#line).buffer)}\n`);
    this.#line = [];
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    this.#inTick = true;
    try {
      // The wire: a FIFO's worth goes out every DRAIN_MS.
      if (this.#queued > 0 && this.#sinceDrain >= DRAIN_MS) {
        this.#queued = 0;
        this.#sinceDrain = 0;
      }
      if (this.#untilPoll <= 0) {
        this.#untilPoll = POLL_MS;
        this.#poll();
      }
      if (this.#received.length > 0) this.#onReadable?.call(this, this.#received.length);
      if (!this.#closed && this.#wroteSinceWritable && this.#queued === 0) {
        this.#wroteSinceWritable = false;
        this.#onWritable?.call(this, FIFO_BYTES);
      }
    } finally {
      this.#inTick = false;
    }
    if (this.#closed) return;
    const wait = this.#queued > 0 ? Math.max(1, Math.min(DRAIN_MS - this.#sinceDrain, this.#untilPoll)) : this.#untilPoll;
    this.#sinceDrain += wait;
    this.#untilPoll -= wait;
    this.#timer = Timer.set(() => this.#tick(), wait);
  }

  /** Moves what was appended to the input file into the received bytes, as far as there is room. */
  #poll(): void {
    const path = this.#path;
    if (!File.exists(path)) return;
    const file = new File(path);
    try {
      const length = file.length;
      if (length < this.#position) this.#position = 0; // the file was started anew
      const count = Math.min(length - this.#position, MAX_RECEIVED_BYTES - this.#received.length);
      if (count <= 0) return;
      file.position = this.#position;
      const bytes = new Uint8Array(file.read(ArrayBuffer, count));
      this.#position += bytes.length;
      const joined = new Uint8Array(this.#received.length + bytes.length);
      joined.set(this.#received);
      joined.set(bytes, this.#received.length);
      this.#received = joined;
    } finally {
      file.close();
    }
  }
}

function fileLength(path: string): number {
  const file = new File(path);
  try {
    return file.length;
  } finally {
    file.close();
  }
}
