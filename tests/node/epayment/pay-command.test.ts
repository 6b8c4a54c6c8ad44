// The pay command end to end: spawned as a tester would run it, against the emulator over real
// sockets, the emulator acting as the customer. Exit codes, the emulator's aggregate, and the PNG
// read back by a QR decoder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { NOK, assertAllValid, newReference, startRig, until, type Rig } from './support';

const root = resolve(import.meta.dirname, '../../..');

interface Run {
  code: number | null;
  output: string;
}

function pay(args: string[], env: Record<string, string>, during?: (child: ReturnType<typeof spawn>) => void | Promise<void>, stdin?: string): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/pay.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    if (stdin !== undefined) child.stdin.end(stdin);
    child.on('error', fail);
    child.on('exit', (code) => done({ code, output }));
    Promise.resolve(during?.(child)).catch(fail);
  });
}

describe('the pay command against the emulator', function () {
  this.timeout(30_000);
  let rig: Rig;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    rig = await startRig({ httpsPort: 0, credentials: { clientSecret: 'pay-S3cret-0001', subscriptionKey: 'pay-S3cret-key-0002' } });
    dir = mkdtempSync(join(tmpdir(), 'pay-'));
    const c = rig.emulator.credentials;
    env = { EPAYMENT_BASE_URL: rig.emulator.baseUrl, EPAYMENT_CLIENT_ID: c.clientId, EPAYMENT_CLIENT_SECRET: c.clientSecret, EPAYMENT_SUBSCRIPTION_KEY: c.subscriptionKey, EPAYMENT_MSN: c.merchantSerialNumber };
  });
  after(async () => {
    await rig.close();
  });

  const fast = ['--poll-first-ms', '300', '--poll-interval-ms', '500'];
  const sale = (reference: string, ...more: string[]) => ['--amount', '2500', '--currency', 'NOK', '--description', 'Ear buds', '--reference', reference, '--png', join(dir, `${reference}.png`), ...fast, ...more];
  const whenCreated = (reference: string, act: () => void) => async () => {
    await until(() => rig.emulator.payment(reference)?.state === 'CREATED', 10_000);
    act();
  };

  it('--yes: authorized, captured, exit 0; the PNG decodes to the redirectUrl', async () => {
    const reference = newReference('paycli');
    const run = await pay(sale(reference, '--yes'), env, whenCreated(reference, () => rig.emulator.approve(reference)));
    assert.equal(run.code, 0, run.output);
    const payment = rig.emulator.payment(reference)!;
    assert.deepEqual(payment.aggregate.capturedAmount, NOK(2500));
    const png = PNG.sync.read(readFileSync(join(dir, `${reference}.png`)));
    assert.equal(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data, payment.redirectUrl);
    assert.match(run.output, /captured 25\.00 NOK/);
    assert.match(run.output, /▀|▄/, 'the QR was drawn in the terminal');
    assert.doesNotMatch(run.output, /S3cret/);
    assertAllValid(rig.emulator);
  });

  it('answering no: cancelled, nothing captured, exit 3', async () => {
    const reference = newReference('payno');
    const run = await pay(sale(reference), env, whenCreated(reference, () => rig.emulator.approve(reference)), 'n\n');
    assert.equal(run.code, 3, run.output);
    const payment = rig.emulator.payment(reference)!;
    assert.deepEqual(payment.aggregate.capturedAmount, NOK(0));
    assert.deepEqual(payment.aggregate.cancelledAmount, NOK(2500));
  });

  it('answering yes on stdin captures', async () => {
    const reference = newReference('payyes');
    const run = await pay(sale(reference), env, whenCreated(reference, () => rig.emulator.approve(reference)), 'y\n');
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(rig.emulator.payment(reference)?.aggregate.capturedAmount, NOK(2500));
  });

  it('the customer rejects: exit 4; the payment expires: exit 5', async () => {
    const rejected = newReference('payrej');
    assert.equal((await pay(sale(rejected, '--yes'), env, whenCreated(rejected, () => rig.emulator.reject(rejected)))).code, 4);
    const expired = newReference('payexp');
    assert.equal((await pay(sale(expired, '--yes'), env, whenCreated(expired, () => rig.emulator.expire(expired)))).code, 5);
    assert.deepEqual(rig.emulator.payment(expired)?.aggregate.capturedAmount, NOK(0));
  });

  it('Ctrl-C while waiting: cancelled (TERMINATED), exit 130', async () => {
    const reference = newReference('payint');
    const run = await pay(sale(reference, '--yes'), env, async (child) => {
      await until(() => rig.emulator.payment(reference)?.state === 'CREATED', 10_000);
      await until(() => rig.emulator.requests().some((r) => r.path.endsWith(reference)), 10_000);
      child.kill('SIGINT');
    });
    assert.equal(run.code, 130, run.output);
    assert.equal(rig.emulator.payment(reference)?.state, 'TERMINATED');
  });

  it('over HTTPS with the emulator root certificate (--ca)', async () => {
    const reference = newReference('paytls');
    const run = await pay(sale(reference, '--yes', '--ca', rig.emulator.rootCertificatePemPath), { ...env, EPAYMENT_BASE_URL: rig.emulator.httpsBaseUrl! }, whenCreated(reference, () => rig.emulator.approve(reference)));
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(rig.emulator.payment(reference)?.aggregate.capturedAmount, NOK(2500));
  });

  it('wrong credentials: exit 1 with the status, no secret printed', async () => {
    const run = await pay(sale(newReference('paybad'), '--yes'), { ...env, EPAYMENT_CLIENT_SECRET: 'pay-S3cret-wrong' });
    assert.equal(run.code, 1, run.output);
    assert.match(run.output, /access token: HTTP 401/);
    assert.doesNotMatch(run.output, /S3cret/);
  });

  it('usage errors: exit 2', async () => {
    assert.equal((await pay(['--currency', 'NOK'], env)).code, 2);
    assert.equal((await pay(['--amount', '25.00'], env)).code, 2);
    const remote = await pay(['--amount', '2500'], { EPAYMENT_BASE_URL: 'https://apitest.vipps.no' });
    assert.equal(remote.code, 2);
    assert.match(remote.output, /EPAYMENT_CLIENT_ID/);
  });
});
