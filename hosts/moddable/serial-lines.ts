// The provisioning console's lines on the ESP32: the USB serial console (UART0), read a few bytes at
// a time from a timer, nothing echoed (a typed secret must not come back). In debug builds the
// console is the xsbug connection's, so the reader does not start there: provision with a release
// build (Preference, and so what was provisioned, survives flashing another build).
import Timer from 'timer';
import { isDebugBuild, receive, write } from 'hosts/moddable/console-io';
import { LineSplitter, type LineHandler } from 'hosts/moddable/line-splitter';
import type { SerialLines } from 'hosts/moddable/link-types';

/** How often the console is read: 115200 baud fills the UART's 128-byte FIFO in about 11 ms. */
const POLL_MS = 10;
/** Bytes taken per poll at most, so a long paste does not hold the event loop. */
const BYTES_PER_POLL = 512;

export function startSerialLines(onLine: LineHandler): SerialLines | undefined {
  if (isDebugBuild()) return undefined;
  const splitter = new LineSplitter(onLine, () => write('error line too long\r\n'));
  const timer = Timer.repeat(() => {
    for (let i = 0; i < BYTES_PER_POLL; i++) {
      const byte = receive();
      if (byte === undefined) return;
      splitter.push(byte);
    }
  }, POLL_MS);
  return {
    writeLine(text: string) {
      write(`${text}\r\n`);
    },
    stop() {
      Timer.clear(timer);
    },
  };
}
