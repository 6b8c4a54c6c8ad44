import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../../tools/emulator/index';
import { ApiClient, json } from './helpers';

describe('emulator: saving and reloading its state', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'emulator-state-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('saves on close and reloads at start: payments, tokens, idempotent answers and the clock survive a restart', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await startEmulator({ stateFile });
    const client = new ApiClient(first);
    const reference = await client.payment();
    const capture = await client.capture(reference, 1000, 'cap-key');
    first.advanceClock(120);
    await first.close();
    assert.equal(JSON.parse(readFileSync(stateFile, 'utf8')).version, 1);

    const second = await startEmulator({ stateFile });
    try {
      const again = new ApiClient(second);
      // The device's cached token still works, as it would against the real service.
      again.token = client.token;
      const got = json(await again.get(reference));
      assert.equal(got.state, 'AUTHORIZED');
      assert.equal(got.aggregate.capturedAmount.value, 1000);
      const retried = await again.capture(reference, 1000, 'cap-key');
      assert.equal(retried.body, capture.body, 'the original answer to the same key');
      assert.equal(second.payment(reference)!.aggregate.capturedAmount.value, 1000);
      assert.ok(second.now() - Date.now() >= 119_000, 'the clock offset is kept');
      assert.deepEqual(second.responseValidationErrors(), []);
    } finally {
      await second.close();
    }
  });

  it('starts empty when the state file does not exist yet, and saves to an explicit file on request', async () => {
    const emulator = await startEmulator({ stateFile: join(dir, 'missing.json') });
    try {
      assert.deepEqual(emulator.payments(), []);
      const client = new ApiClient(emulator);
      const reference = await client.payment({}, false);
      const other = join(dir, 'other.json');
      emulator.save(other);
      assert.equal(JSON.parse(readFileSync(other, 'utf8')).payments[0].reference, reference);
    } finally {
      await emulator.close();
    }
  });

  it('refuses save() without a file when no stateFile was given', async () => {
    const emulator = await startEmulator();
    try {
      assert.throws(() => emulator.save(), /no state file/);
    } finally {
      await emulator.close();
    }
  });
});
