// The simulator's stand-in for ECMA-419 `embedded:io/serial` (it has no UART for the console), so
// the device's serial-lines code runs unchanged: bytes "received" are those appended to the file
// named by mc/config `serialIn`, bytes written are traced as `serial> <line>`, through a 128-byte
// "FIFO" that calls onWritable again once it has drained, as the ESP32's does. It takes only the
// console's own options (UART0, TX 1, RX 3, 115200 baud) and throws without `serialIn`, as the
// device's throws for a port it cannot open.
import config from 'mc/config';
import { File } from 'file';
import Timer from 'timer';

const POLL_MS = 100;
const FIFO_BYTES = 128;
const MAX_BUFFERED_BYTES = 4096;

interface Options {
  port: number;
  transmit: number;
  receive: number;
  baud: number;
  format?: 'buffer' | 'number';
  onReadable?: (this: SerialFile, count: number) => void;
  onWritable?: (this: SerialFile, count: number) => void;
}

export default class SerialFile {
  #received = new Uint8Array(0);
  #line: number[] = [];
  #room = FIFO_BYTES;
  #poll: Timer | undefined;
  #drained: Timer | undefined;
  #onWritable: Options['onWritable'];

  constructor(options: Options) {
    if (options.port !== 0 || options.transmit !== 1 || options.receive !== 3 || options.baud !== 115200) {
      throw new RangeError(`the console stand-in is UART0 (TX 1, RX 3, 115200 baud), not port ${options.port}`);
    }
    if (options.format !== 'buffer') throw new RangeError('the console stand-in reads and writes buffers');
    const path = (config as Record<string, unknown>).serialIn;
    if (typeof path !== 'string' || path === '') throw new Error('no serialIn file: the simulator has no console');
    this.#onWritable = options.onWritable;
    // Lines already in the file when the app starts were meant for an earlier run.
    let position = File.exists(path) ? new File(path).length : 0;
    this.#poll = Timer.repeat(() => {
      if (!File.exists(path)) return;
      const file = new File(path);
      try {
        if (file.length < position) position = 0; // the file was started anew
        const count = Math.min(file.length - position, MAX_BUFFERED_BYTES - this.#received.length);
        if (count <= 0) return;
        file.position = position;
        const bytes = new Uint8Array(file.read(ArrayBuffer, count));
        position += bytes.length;
        const joined = new Uint8Array(this.#received.length + bytes.length);
        joined.set(this.#received);
        joined.set(bytes, this.#received.length);
        this.#received = joined;
      } finally {
        file.close();
      }
      options.onReadable?.call(this, this.#received.length);
    }, POLL_MS);
    Timer.set(() => this.#onWritable?.call(this, this.#room), 0);
  }

  read(count?: number): ArrayBuffer | undefined {
    const taken = Math.min(count ?? this.#received.length, this.#received.length);
    if (taken === 0) return undefined;
    const bytes = this.#received.slice(0, taken);
    this.#received = this.#received.slice(taken);
    return bytes.buffer;
  }

  write(buffer: ArrayBuffer | Uint8Array): void {
    const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
    if (bytes.length > this.#room) throw new Error('output full');
    this.#room -= bytes.length;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (byte === 10) {
        trace(`serial> ${String.fromArrayBuffer(Uint8Array.from(this.#line).buffer)}\n`);
        this.#line = [];
      } else if (byte !== 13) this.#line.push(byte);
    }
    // The "UART" sends at its pace: room again a moment later.
    if (this.#drained === undefined) {
      this.#drained = Timer.set(() => {
        this.#drained = undefined;
        this.#room = FIFO_BYTES;
        this.#onWritable?.call(this, this.#room);
      }, 1);
    }
  }

  close(): void {
    if (this.#poll !== undefined) Timer.clear(this.#poll);
    if (this.#drained !== undefined) Timer.clear(this.#drained);
    this.#poll = this.#drained = undefined;
  }
}
