import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { request } from './helpers';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Starts `tsx tools/emulator/main.ts` with the arguments, and waits for its banner. */
async function startCli(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcessWithoutNullStreams; banner: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tools/emulator/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ctrl-C to stop.')) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`the emulator exited (${code}): ${output}`)));
  });
  return { child, banner: output };
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

describe('emulator: npm run emulator', () => {
  it('prints its base URL, the tester page and where the root certificate is, takes credentials from the environment, and stops cleanly', async () => {
    const { child, banner } = await startCli(['--port', '0', '--https-port', '0', '--quiet'], { EPAYMENT_MSN: '7654321', EPAYMENT_CLIENT_SECRET: 'not-printed' });
    try {
      const baseUrl = /base URL:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
      assert.ok(baseUrl, banner);
      assert.match(banner, /HTTPS base URL:\s+https:\/\/localhost:\d+/);
      assert.match(banner, new RegExp(`tester page:\\s+${baseUrl}/`));
      assert.match(banner, /root-ca\.pem \(PEM\)/);
      assert.match(banner, /root-ca\.der \(DER\)/);
      assert.match(banner, /MSN:\s+7654321 \(from EPAYMENT_MSN\)/);
      assert.ok(!banner.includes('not-printed'), 'secrets are never printed');
      const info = JSON.parse((await request(`${baseUrl}/emulator/info`)).body);
      assert.equal(info.merchantSerialNumber, '7654321');
    } finally {
      assert.equal(await stop(child), 0);
    }
  });

  it('prints usage for --help', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/emulator/main.ts', '--help'], { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
    assert.match(output, /--https-port/);
    assert.match(output, /EPAYMENT_SUBSCRIPTION_KEY/);
  });
});
