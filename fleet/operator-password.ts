// The new operator's password for `npm run fleet -- --add-operator NAME`: from FLEET_OPERATOR_PASSWORD,
// or typed at a terminal with the echo off, or piped on stdin (its first line). Never printed.
import type { ReadStream } from 'node:tty';

export async function readOperatorPassword(env: NodeJS.ProcessEnv = process.env, input: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (env.FLEET_OPERATOR_PASSWORD) return env.FLEET_OPERATOR_PASSWORD;
  if (input.isTTY) return readHidden(input as ReadStream);
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

function readHidden(input: ReadStream): Promise<string> {
  process.stderr.write('Password (not shown): ');
  return new Promise((resolve, reject) => {
    let typed = '';
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (result?: string): void => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (result === undefined) reject(new Error('cancelled'));
      else resolve(result);
    };
    const onData = (data: string): void => {
      for (const ch of data) {
        if (ch === '\r' || ch === '\n') return done(typed);
        if (ch === '\u0003' || ch === '\u0004') return done();
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.on('data', onData);
  });
}
