// The provisioning console's lines on the serial port: UART0 (TX 1, RX 3, 115200 baud: the USB
// bridge's), opened through ECMA-419 `embedded:io/serial`. Without the debugger (release builds) the
// SDK sets up no console of its own (debugger_none.c: ESP_getc reads nothing, ESP_putc writes
// nothing), so the app owns the port; in debug builds it is xsbug's, and the console does not start.
// Nothing typed is echoed (a typed secret must not come back). The simulator's manifest maps
// `embedded:io/serial` to a stand-in on a file (sim/serial-file, a 128-byte FIFO), so this is the
// code it runs too.
import Serial from 'embedded:io/serial';
import { isDebugBuild } from 'hosts/moddable/console-io';
import { LineSplitter, type LineHandler } from 'hosts/moddable/line-splitter';
import type { SerialLines } from 'hosts/moddable/link-types';

export const CONSOLE_PORT = { port: 0, transmit: 1, receive: 3, baud: 115200 } as const;
/** Answers waiting for the UART: beyond this the oldest go (nobody is reading fast enough). */
const MAX_PENDING_BYTES = 4096;

export function startSerialLines(onLine: LineHandler, onError: (message: string) => void = () => {}): SerialLines | undefined {
  if (isDebugBuild()) return undefined;
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let sent = 0;
  let room = 0;
  let port: Serial;

  const drain = () => {
    while (room > 0 && pending.length > 0) {
      const head = pending[0]!;
      const count = Math.min(room, head.length - sent);
      port.write(head.subarray(sent, sent + count));
      room -= count;
      sent += count;
      if (sent === head.length) {
        pending.shift();
        pendingBytes -= head.length;
        sent = 0;
      }
    }
  };
  const send = (text: string) => {
    const bytes = new Uint8Array(ArrayBuffer.fromString(text));
    pending.push(bytes);
    pendingBytes += bytes.length;
    while (pendingBytes > MAX_PENDING_BYTES && pending.length > 1) pendingBytes -= pending.splice(1, 1)[0]!.length;
    drain();
  };
  const splitter = new LineSplitter(onLine, () => send('error line too long\r\n'));

  try {
    port = new Serial({
      ...CONSOLE_PORT,
      format: 'buffer',
      onReadable(count: number) {
        const bytes = new Uint8Array(this.read(count) as ArrayBuffer);
        for (let i = 0; i < bytes.length; i++) splitter.push(bytes[i]!);
      },
      onWritable(count: number) {
        room = count;
        drain();
      },
    });
  } catch (error) {
    // Port in use, pins taken: the machine sells on; it only cannot be provisioned over serial.
    onError(`serial console: UART${CONSOLE_PORT.port} not opened (${(error as Error).message})`);
    return undefined;
  }
  return {
    writeLine(text: string) {
      send(`${text}\r\n`);
    },
    stop() {
      port.close();
    },
  };
}
