// The bench's ePayment section measures what it says: three requests a sale on one kept-alive
// connection, a TLS handshake per request without keep-alive, and a create-to-QR time. And the
// command line: --json gives pure JSON on stdout, --out FILE writes it to a file.
import assert from 'node:assert/strict';
import { benchEpayment } from '../../../tools/bench/epayment';
import { SECTIONS, parseBenchArgs, runBench, type BenchSection } from '../../../tools/bench/main';

describe('bench: ePayment section', function () {
  this.timeout(30_000);

  it('counts requests, connections and handshakes per sale, and times create to QR', async () => {
    const bench = await benchEpayment();
    assert.deepEqual(bench.https.cold, { requests: 4, connections: 1, tlsHandshakes: 1 });
    assert.deepEqual(bench.https.warm, { requestsPerSale: 3, connectionsPerSale: 0, tlsHandshakesPerSale: 0 });
    assert.deepEqual(bench.http.warm, { requestsPerSale: 3, connectionsPerSale: 0, tlsHandshakesPerSale: 0 });
    assert.deepEqual(bench.httpsNoKeepAlive.warm, { requestsPerSale: 3, connectionsPerSale: 3, tlsHandshakesPerSale: 3 });
    for (const variant of [bench.http, bench.https, bench.httpsNoKeepAlive]) {
      const { median, p90, max } = variant.createToQrMs;
      assert.ok(median > 0 && median <= p90 && p90 <= max, JSON.stringify(variant.createToQrMs));
    }
  });
});

describe('bench: the command line', () => {
  const stubs = (calls: string[]): BenchSection[] => [
    { key: 'first', run: async () => { calls.push('run first'); console.log('progress a section printed'); return { a: 1 }; }, print: (r) => calls.push(`print first ${JSON.stringify(r)}`) },
    { key: 'second', run: async () => { calls.push('run second'); return [2]; }, print: (r) => calls.push(`print second ${JSON.stringify(r)}`) },
  ];
  const recorder = () => {
    const out: string[] = [];
    const files = new Map<string, string>();
    return { out, files, io: { stdout: (t: string) => { out.push(t); }, writeFile: (f: string, t: string) => { files.set(f, t); } } };
  };
  /** Runs `body` with console.error collected instead of printed. */
  async function collectingStderr<T>(body: () => Promise<T>): Promise<{ value: T; stderr: unknown[][] }> {
    const stderr: unknown[][] = [];
    const saved = console.error;
    console.error = (...values: unknown[]) => { stderr.push(values); };
    try {
      return { value: await body(), stderr };
    } finally {
      console.error = saved;
    }
  }

  it('parses --json, --out FILE (or --out=FILE) and --push-sales N, and refuses anything else', () => {
    assert.deepEqual(parseBenchArgs([]), { json: false });
    assert.deepEqual(parseBenchArgs(['--json']), { json: true });
    assert.deepEqual(parseBenchArgs(['--out', 'build/bench.json']), { json: false, out: 'build/bench.json' });
    assert.deepEqual(parseBenchArgs(['--json', '--out=b.json']), { json: true, out: 'b.json' });
    assert.deepEqual(parseBenchArgs(['--push-sales', '40']), { json: false, pushSales: 40 });
    for (const bad of [['--out'], ['--out', '--json'], ['--out='], ['--jsn'], ['json'], ['--push-sales'], ['--push-sales', '0'], ['--push-sales', '2.5']]) assert.ok(parseBenchArgs(bad) instanceof Error, bad.join(' '));
  });

  it('--json: stdout carries one JSON object, every section under its key, and nothing else', async () => {
    const calls: string[] = [];
    const { out, files, io } = recorder();
    const { stderr } = await collectingStderr(() => runBench({ json: true }, stubs(calls), io));
    assert.equal(out.length, 1);
    assert.deepEqual(JSON.parse(out[0]!), { first: { a: 1 }, second: [2] });
    assert.ok(out[0]!.endsWith('}\n'));
    assert.deepEqual(calls, ['run first', 'run second'], 'no tables');
    assert.deepEqual(stderr, [['progress a section printed']], "a section's console.log went to stderr");
    assert.equal(files.size, 0);
  });

  it('--out FILE writes the same JSON to the file; without --json stdout gets the tables', async () => {
    const calls: string[] = [];
    const { out, files, io } = recorder();
    const saved = console.log;
    const logged: unknown[][] = [];
    console.log = (...values: unknown[]) => { logged.push(values); };
    try {
      await runBench({ json: false, out: 'build/bench.json' }, stubs(calls), io);
    } finally {
      console.log = saved;
    }
    assert.deepEqual(JSON.parse(files.get('build/bench.json')!), { first: { a: 1 }, second: [2] });
    assert.deepEqual(out, []);
    assert.deepEqual(calls, ['run first', 'run second', 'print first {"a":1}', 'print second [2]']);
    assert.deepEqual(logged, [['progress a section printed']], 'console stays as it is without --json');
  });

  it('has the sections the README documents, in order', () => {
    assert.deepEqual(SECTIONS.map((s) => s.key), ['qr', 'epayment', 'sale', 'desktop', 'push', 'sim']);
  });
});
