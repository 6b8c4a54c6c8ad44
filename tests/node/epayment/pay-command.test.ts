// The pay command end to end: spawned as a tester would run it, against the emulator over real
// sockets, the emulator acting as the customer. It runs the machine's controller, so what a new
// user found wrong with the old pay (a 409 that cancelled somebody else's payment, an approval
// left reserved after Ctrl-C while the customer was in the app, "the amount stays reserved" after
// a capture whose answer was lost) is checked here to stay fixed. Exit codes, the emulator's
// aggregate, and the PNG read back by a QR decoder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { parsePayOptions, UsageError } from '../../../tools/pay/options';
import { NOK, assertAllValid, newReference, saleInput, startRig, until, type Rig } from './support';

const root = resolve(import.meta.dirname, '../../..');

interface Run {
  code: number | null;
  output: string;
}

interface Running {
  child: ReturnType<typeof spawn>;
  /** Output so far. */
  output(): string;
}

function pay(args: string[], env: Record<string, string>, during?: (running: Running) => void | Promise<void>, stdin?: string): Promise<Run> {
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
    Promise.resolve(during?.({ child, output: () => output })).catch((error: unknown) => {
      child.kill('SIGKILL');
      fail(error);
    });
  });
}

describe('the pay command against the emulator', function () {
  this.timeout(40_000);
  let rig: Rig;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    rig = await startRig({ httpsPort: 0, rateLimits: false, credentials: { clientSecret: 'pay-S3cret-0001', subscriptionKey: 'pay-S3cret-key-0002' } });
    dir = mkdtempSync(join(tmpdir(), 'pay-'));
    const c = rig.emulator.credentials;
    env = { EPAYMENT_BASE_URL: rig.emulator.baseUrl, EPAYMENT_CLIENT_ID: c.clientId, EPAYMENT_CLIENT_SECRET: c.clientSecret, EPAYMENT_SUBSCRIPTION_KEY: c.subscriptionKey, EPAYMENT_MSN: c.merchantSerialNumber };
  });
  afterEach(() => rig.emulator.clearFaults());
  after(async () => {
    await rig.close();
  });

  const fast = ['--poll-first-ms', '300', '--poll-interval-ms', '500'];
  /** A sale with its own journal folder, unless `state` names a shared one. */
  const sale = (reference: string, ...more: string[]) => ['--amount', '2500', '--currency', 'NOK', '--description', 'Ear buds', '--reference', reference, '--png', join(dir, `${reference}.png`), '--state', join(dir, `state-${reference}`), ...fast, ...more];
  const whenCreated = (reference: string, act: () => void) => async () => {
    await until(() => rig.emulator.payment(reference)?.state === 'CREATED', 10_000);
    act();
  };
  const requestsFor = (reference: string, route: string) => rig.emulator.requests().filter((r) => r.route === route && r.path.includes(reference));
  const CANCEL = 'POST /epayment/v1/payments/{reference}/cancel';
  const EVENTS = 'GET /epayment/v1/payments/{reference}/events';
  const CAPTURE = 'POST /epayment/v1/payments/{reference}/capture';

  it('--yes: authorized, captured, exit 0; the PNG decodes to the redirectUrl; the receipt comes from the options', async () => {
    const reference = newReference('paycli');
    const run = await pay(sale(reference, '--yes', '--tax-rate', '1500', '--pos-id', 'desk-7', '--age', '18'), env, whenCreated(reference, () => rig.emulator.approve(reference)));
    assert.equal(run.code, 0, run.output);
    const payment = rig.emulator.payment(reference)!;
    assert.deepEqual(payment.aggregate.capturedAmount, NOK(2500));
    const png = PNG.sync.read(readFileSync(join(dir, `${reference}.png`)));
    assert.equal(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data, payment.redirectUrl);
    const body = payment.request as { paymentDescription: string; minimumUserAge: number; receipt: { orderLines: { taxRate: number; name: string }[]; bottomLine: { posId: string } } };
    assert.equal(body.paymentDescription, 'Ear buds');
    assert.equal(body.minimumUserAge, 18);
    assert.equal(body.receipt.orderLines[0]!.taxRate, 1500);
    assert.equal(body.receipt.bottomLine.posId, 'desk-7');
    assert.match(run.output, /captured 25\.00 NOK/);
    assert.match(run.output, /▀|▄/, 'the QR was drawn in the terminal');
    assert.doesNotMatch(run.output, /S3cret/);
    assertAllValid(rig.emulator);
  });

  it('without --reference the machine makes one (<pos id>-<counter>-<random>), and the counter survives the run', async () => {
    const state = join(dir, 'state-generated');
    const args = ['--amount', '2500', '--png', join(dir, 'generated.png'), '--state', state, '--yes', ...fast];
    const approveAny = async () => {
      await until(() => rig.emulator.payments().some((p) => p.state === 'CREATED' && p.reference.startsWith('pay-cli-')), 10_000);
      for (const p of rig.emulator.payments()) if (p.state === 'CREATED' && p.reference.startsWith('pay-cli-')) rig.emulator.approve(p.reference);
    };
    const first = await pay(args, env, approveAny);
    const second = await pay(args, env, approveAny);
    assert.equal(first.code, 0, first.output);
    assert.equal(second.code, 0, second.output);
    const [, one] = /reference (pay-cli-1-[0-9a-z]{6})/.exec(first.output) ?? [];
    const [, two] = /reference (pay-cli-2-[0-9a-z]{6})/.exec(second.output) ?? [];
    assert.ok(one && two, `${first.output}\n${second.output}`);
    assert.deepEqual(rig.emulator.payment(two)?.aggregate.capturedAmount, NOK(2500));
  });

  it('answering no: cancelled, nothing captured, exit 3', async () => {
    const reference = newReference('payno');
    const run = await pay(sale(reference), env, whenCreated(reference, () => rig.emulator.approve(reference)), 'n\n');
    assert.equal(run.code, 3, run.output);
    const payment = rig.emulator.payment(reference)!;
    assert.deepEqual(payment.aggregate.capturedAmount, NOK(0));
    assert.deepEqual(payment.aggregate.cancelledAmount, NOK(2500));
    assert.match(run.output, /cancelled: nothing was charged/);
  });

  it('answering yes on stdin captures; end of input is "not delivered"', async () => {
    const reference = newReference('payyes');
    const run = await pay(sale(reference), env, whenCreated(reference, () => rig.emulator.approve(reference)), 'y\n');
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(rig.emulator.payment(reference)?.aggregate.capturedAmount, NOK(2500));
    const closed = newReference('payeof');
    const eof = await pay(sale(closed), env, whenCreated(closed, () => rig.emulator.approve(closed)), '');
    assert.equal(eof.code, 3, eof.output);
    assert.deepEqual(rig.emulator.payment(closed)?.aggregate.cancelledAmount, NOK(2500));
  });

  it('the customer rejects: exit 4; the payment expires: exit 5', async () => {
    const rejected = newReference('payrej');
    assert.equal((await pay(sale(rejected, '--yes'), env, whenCreated(rejected, () => rig.emulator.reject(rejected)))).code, 4);
    const expired = newReference('payexp');
    assert.equal((await pay(sale(expired, '--yes'), env, whenCreated(expired, () => rig.emulator.expire(expired)))).code, 5);
    assert.deepEqual(rig.emulator.payment(expired)?.aggregate.capturedAmount, NOK(0));
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} while waiting is the Cancel button: cancelled (TERMINATED), exit 130`, async () => {
      const reference = newReference('payint');
      const run = await pay(sale(reference, '--yes'), env, async ({ child }) => {
        await until(() => rig.emulator.payment(reference)?.state === 'CREATED', 10_000);
        await until(() => rig.emulator.requests().some((r) => r.method === 'GET' && r.path.endsWith(reference)), 10_000);
        child.kill(signal);
      });
      assert.equal(run.code, 130, run.output);
      assert.equal(rig.emulator.payment(reference)?.state, 'TERMINATED');
    });
  }

  it('a reference that belongs to another payment (409): that payment is left alone, exit 1', async () => {
    const reference = newReference('pay409');
    await rig.client.createPayment(saleInput(reference, 9900));
    rig.emulator.approve(reference);
    const run = await pay(sale(reference, '--yes'), env);
    assert.equal(run.code, 1, run.output);
    const other = rig.emulator.payment(reference)!;
    assert.equal(other.state, 'AUTHORIZED');
    assert.deepEqual(other.aggregate, { authorizedAmount: NOK(9900), capturedAmount: NOK(0), cancelledAmount: NOK(0), refundedAmount: NOK(0) });
    assert.deepEqual(requestsFor(reference, CANCEL), [], 'no cancel of somebody else\'s payment');
    assert.deepEqual(requestsFor(reference, CAPTURE), []);
    assert.match(run.output, /nothing was charged/);
  });

  it('Ctrl-C while the customer is in the app (cancel 423), who then approves: the approval is cancelled, nothing stays reserved, exit 130', async () => {
    const reference = newReference('pay423');
    const run = await pay(sale(reference, '--yes'), env, async ({ child, output }) => {
      await until(() => rig.emulator.payment(reference)?.state === 'CREATED', 10_000);
      rig.emulator.openInApp(reference);
      child.kill('SIGINT');
      await until(() => requestsFor(reference, CANCEL).some((r) => r.status === 423), 10_000);
      await until(() => /open in the app/.test(output()), 10_000);
      // The customer goes on and approves in the app.
      rig.emulator.approve(reference);
    });
    assert.equal(run.code, 130, run.output);
    const payment = rig.emulator.payment(reference)!;
    assert.deepEqual(payment.aggregate.capturedAmount, NOK(0));
    assert.deepEqual(payment.aggregate.cancelledAmount, NOK(2500), 'the approval that followed was cancelled');
    assert.match(run.output, /cancelled: nothing was charged/);
  });

  it('a capture whose answers are lost although the service captured: read back, "captured", exit 0, never "stays reserved"', async () => {
    const reference = newReference('paylost');
    rig.emulator.injectFault({ route: CAPTURE, kind: 'reset-before-headers', processed: true, times: Infinity });
    const run = await pay(sale(reference, '--yes'), env, whenCreated(reference, () => rig.emulator.approve(reference)));
    assert.equal(run.code, 0, run.output);
    const payment = rig.emulator.payment(reference)!;
    assert.deepEqual(payment.aggregate.capturedAmount, NOK(2500));
    assert.equal(payment.events.filter((e) => e.name === 'CAPTURED').length, 1, 'captured once');
    assert.match(run.output, /captured 25\.00 NOK/);
    assert.doesNotMatch(run.output, /stays reserved|still reserved/);
  });

  it('a second Ctrl-C exits at once with the reference and what the service last said; the next run settles it first', async () => {
    const reference = newReference('pay2x');
    const state = join(dir, 'state-shared');
    const args = (ref: string) => ['--amount', '2500', '--description', 'Ear buds', '--reference', ref, '--png', join(dir, `${ref}.png`), '--state', state, '--yes', ...fast];
    const first = await pay(args(reference), env, async ({ child, output }) => {
      await until(() => rig.emulator.payment(reference)?.state === 'CREATED', 10_000);
      rig.emulator.openInApp(reference);
      await until(() => /state CREATED/.test(output()), 10_000);
      child.kill('SIGINT');
      await until(() => /open in the app/.test(output()), 10_000);
      child.kill('SIGINT');
    });
    assert.equal(first.code, 130, first.output);
    assert.match(first.output, new RegExp(`interrupted twice: exiting now. reference ${reference}`));
    assert.match(first.output, /The service said at \d\d:\d\d:\d\d UTC: CREATED, authorized 0\.00 NOK, captured 0\.00 NOK, cancelled 0\.00 NOK, 0\.00 NOK reserved/);
    assert.match(first.output, /journalled in .*: the sale, open in phase cancel; the next npm run pay cancels it/);
    // Nobody watches now; the customer approves: the money is reserved until the next run.
    rig.emulator.approve(reference);
    const next = newReference('pay2y');
    const second = await pay(args(next), env, whenCreated(next, () => rig.emulator.approve(next)));
    assert.equal(second.code, 0, second.output);
    assert.match(second.output, new RegExp(`settling what a previous run left pending[^\\n]*\\n  cancel ${reference} \\(25\\.00 NOK\\)`));
    assert.deepEqual(rig.emulator.payment(reference)?.aggregate.cancelledAmount, NOK(2500));
    assert.deepEqual(rig.emulator.payment(next)?.aggregate.capturedAmount, NOK(2500));
  });

  it('over HTTPS with the emulator root certificate (--ca); without it the failure names --ca and EPAYMENT_CA_FILE', async () => {
    const reference = newReference('paytls');
    const https = { ...env, EPAYMENT_BASE_URL: rig.emulator.httpsBaseUrl! };
    const run = await pay(sale(reference, '--yes', '--ca', rig.emulator.rootCertificatePemPath), https, whenCreated(reference, () => rig.emulator.approve(reference)));
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(rig.emulator.payment(reference)?.aggregate.capturedAmount, NOK(2500));
    const untrusted = await pay(sale(newReference('paynoca'), '--yes'), https);
    assert.equal(untrusted.code, 1, untrusted.output);
    assert.match(untrusted.output, /--ca <file> or EPAYMENT_CA_FILE/);
  });

  it('wrong credentials: exit 1 with the status, no secret printed, no doubled prefix', async () => {
    const run = await pay(sale(newReference('paybad'), '--yes'), { ...env, EPAYMENT_CLIENT_SECRET: 'pay-S3cret-wrong' });
    assert.equal(run.code, 1, run.output);
    assert.match(run.output, /access token: HTTP 401/);
    assert.doesNotMatch(run.output, /access token: access token/);
    assert.doesNotMatch(run.output, /S3cret/);
  });

  it('a create that keeps failing: exit 1, the service\'s record read before the sale is closed, no doubled prefix', async () => {
    const reference = newReference('pay500');
    rig.emulator.injectFault({ route: 'POST /epayment/v1/payments', kind: 'status', status: 500, times: Infinity });
    const run = await pay(sale(reference, '--yes'), env);
    assert.equal(run.code, 1, run.output);
    assert.doesNotMatch(run.output, /(create payment|get payment|cancel payment|capture payment|access token): \1/);
    assert.match(run.output, /the sale failed/);
    // Every try was answered (500), so no create can still land: the record's 404 is final, nothing to cancel.
    assert.ok(requestsFor(reference, EVENTS).some((r) => r.status === 404), 'the service\'s record was read');
    assert.deepEqual(requestsFor(reference, CANCEL), []);
    assert.match(run.output, /settled: cancelled \(the service has no payment with this reference: nothing was charged\)/);
  });

  it('usage errors: exit 2, and nothing reaches the service', async () => {
    const before = rig.emulator.requests().length;
    for (const args of [['--currency', 'NOK'], ['--amount', '25.00'], ['--amount', '99'], ['--amount', '2500', '--description', 'ab'], ['--amount', '2500', '--reference', 'bad_ref!'], ['--amount', '2500', '--poll-interval-ms', '499']]) {
      const run = await pay(args, env);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.output}`);
    }
    assert.equal(rig.emulator.requests().length, before, 'no request of any kind');
    const remote = await pay(['--amount', '2500'], { EPAYMENT_BASE_URL: 'https://apitest.vipps.no' });
    assert.equal(remote.code, 2);
    assert.match(remote.output, /EPAYMENT_CLIENT_ID/);
  });
});

describe('pay options: every spec limit is a usage error before any request', () => {
  const env = { EPAYMENT_BASE_URL: 'http://127.0.0.1:1' };
  const parse = (...args: string[]) => parsePayOptions(args, env);
  const refused = (pattern: RegExp, ...args: string[]) => assert.throws(() => parse(...args), (error: unknown) => error instanceof UsageError && pattern.test(error.message), args.join(' '));

  it('accepts the limits themselves', () => {
    const at = (...args: string[]) => assert.notEqual(parse(...args), 'help');
    at('--amount', '100');
    at('--amount', '65000000');
    at('--amount', '1', '--currency', 'DKK');
    at('--amount', '1', '--currency', 'EUR');
    at('--amount', '2500', '--description', 'abc', '--tax-rate', '0', '--age', '1');
    at('--amount', '2500', '--description', 'x'.repeat(100), '--tax-rate', '10000', '--age', '100');
    at('--amount', '2500', '--reference', 'abcd-123', '--poll-interval-ms', '500');
    at('--amount', '2500', '--reference', 'a'.repeat(64), '--pos-id', 'p'.repeat(24));
  });

  it('refuses what the service or the machine would', () => {
    refused(/--amount must be 100-65000000/, '--amount', '99');
    refused(/--amount must be 100-65000000/, '--amount', '65000001');
    refused(/--amount must be 1-65000000/, '--amount', '0', '--currency', 'DKK');
    refused(/--amount must be a whole number/, '--amount', '25.00');
    refused(/--currency/, '--amount', '2500', '--currency', 'SEK');
    refused(/--description must be 3-100/, '--amount', '2500', '--description', 'ab');
    refused(/--description must be 3-100/, '--amount', '2500', '--description', 'x'.repeat(101));
    refused(/--age must be 1-100/, '--amount', '2500', '--age', '101');
    refused(/--age must be 1-100/, '--amount', '2500', '--age', '0');
    refused(/--tax-rate must be 0-10000/, '--amount', '2500', '--tax-rate', '10001');
    refused(/--reference must match/, '--amount', '2500', '--reference', 'short');
    refused(/--reference must match/, '--amount', '2500', '--reference', 'a'.repeat(65));
    refused(/--reference must match/, '--amount', '2500', '--reference', 'has_underscore');
    refused(/--poll-interval-ms must be 500-/, '--amount', '2500', '--poll-interval-ms', '499');
    refused(/--pos-id must be 1-24/, '--amount', '2500', '--pos-id', 'p'.repeat(25));
    refused(/--answer-timeout must be 1-/, '--amount', '2500', '--answer-timeout', '0');
    refused(/cannot read the certificate file .* \(--ca \/ EPAYMENT_CA_FILE\)/, '--amount', '2500', '--ca', '/nonexistent/root.pem');
    refused(/base URL must be/, '--amount', '2500', '--base-url', 'http://127.0.0.1:1/path');
  });
});
