// The simulator's stand-in for the serial console (it has none): lines are read from a file that
// grows, as a terminal would send them, and answers are traced as `serial> <answer>`. The file is
// named by mc/config `serialIn` (e.g. /tmp/qrvend-serial.txt); without it there is no console.
// `npm run sim` and the tests append lines to it.
import config from 'mc/config';
import { File } from 'file';
import Timer from 'timer';
import { LineSplitter, type LineHandler } from 'hosts/moddable/line-splitter';
import type { SerialLines } from 'hosts/moddable/link-types';

const POLL_MS = 100;
const CHUNK_BYTES = 512;

export function startSerialLines(onLine: LineHandler, _onError?: (message: string) => void): SerialLines | undefined {
  const path = (config as Record<string, unknown>).serialIn;
  if (typeof path !== 'string' || path === '') return undefined;
  const splitter = new LineSplitter(onLine, () => trace('serial> error line too long\n'));
  // Lines already in the file when the app starts were meant for an earlier run.
  let position = File.exists(path) ? new File(path).length : 0;
  const timer = Timer.repeat(() => {
    if (!File.exists(path)) return;
    const file = new File(path);
    try {
      if (file.length < position) position = 0; // the file was started anew
      while (position < file.length) {
        file.position = position;
        const bytes = new Uint8Array(file.read(ArrayBuffer, Math.min(CHUNK_BYTES, file.length - position)));
        position += bytes.length;
        for (let i = 0; i < bytes.length; i++) splitter.push(bytes[i]!);
      }
    } finally {
      file.close();
    }
  }, POLL_MS);
  return {
    writeLine(text: string) {
      trace(`serial> ${text}\n`);
    },
    stop() {
      Timer.clear(timer);
    },
  };
}
