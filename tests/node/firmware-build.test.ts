// The firmware build's own checks (tools/firmware): a release build refuses test settings.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingForSimulator, sdkTooOld, sdkVersion } from '../../tools/firmware/moddable-env';
import { flashHelp, parseDeviceArgs } from '../../tools/firmware/build-esp32';
import { ensureSimulatorCertificates } from '../../tools/firmware/sim-harness';
import { releaseProblem } from '../../hosts/moddable/release-settings';
import { outputReadback } from '../../hosts/moddable/output-readback';

describe('firmware build: release refuses test settings', () => {
  for (const setting of ['testTiming=1', 'testDriver=1', 'serialIn=/tmp/x', 'watchdogStallMs=500', 'testBaseUrl=https://localhost']) {
    it(`--release with ${setting} is refused by name`, () => {
      const name = setting.slice(0, setting.indexOf('='));
      assert.throws(() => parseDeviceArgs(['--release', setting]), (error: Error) => error.message.includes(name) && /release build refuses/.test(error.message));
    });
  }

  it('a debug build keeps them, a clean release build passes', () => {
    assert.deepEqual(parseDeviceArgs(['testTiming=1']).settings, ['testTiming=1']);
    assert.deepEqual(parseDeviceArgs(['--release', 'machine.posId=kiosk-1']).settings, ['machine.posId=kiosk-1', 'release=1']);
  });

  it('the boot check names what it refuses', () => {
    assert.equal(releaseProblem({ release: '1', sntpServers: 'a' }), undefined);
    assert.match(releaseProblem({ testDriver: '1', watchdogStallMs: '500' })!, /testDriver .*watchdogStallMs/);
  });
});

describe('firmware build: the SDK must be 8.2.0 or later', () => {
  const sdk = (version: string | undefined): string => {
    const folder = mkdtempSync(join(tmpdir(), 'qrvend-sdk-'));
    mkdirSync(join(folder, 'tools'));
    if (version !== undefined) writeFileSync(join(folder, 'tools/VERSION'), `${version}\n`);
    return folder;
  };

  it('refuses an older SDK and names the version found', () => {
    const folder = sdk('8.1.5');
    assert.equal(sdkVersion(folder), '8.1.5');
    assert.match(sdkTooOld(folder)!, /is 8\.1\.5: .*8\.2\.0 or later/);
    assert.match(missingForSimulator({ MODDABLE: folder, PATH: process.env.PATH })!, /8\.1\.5/);
  });

  it('refuses an SDK that states no version', () => {
    assert.match(sdkTooOld(sdk(undefined))!, /states no SDK version/);
  });

  it('accepts 8.2.0 and later', () => {
    for (const version of ['8.2.0', '8.2.3', '8.10.0', '9.0.0']) assert.equal(sdkTooOld(sdk(version)), undefined, version);
    if (process.env.MODDABLE && existsSync(process.env.MODDABLE)) assert.equal(sdkTooOld(process.env.MODDABLE), undefined);
  });
});

describe('pins: the boot-time read-back of an output', () => {
  it('passes an output that reads back off', () => {
    assert.equal(outputReadback(26, true, () => 0), undefined);
  });
  it('reports one that reads back active, or cannot be read', () => {
    assert.match(outputReadback(26, true, () => 1)!, /output 26: reads back active \(low\).*8\.2\.0/);
    assert.match(outputReadback(27, false, () => { throw new Error('no input path'); })!, /output 27: cannot be read back .*no input path/);
  });
});

describe('firmware build: a fresh clone and the flash instructions', () => {
  it('the simulator build makes the emulator root it bundles when there is none', () => {
    const clone = mkdtempSync(join(tmpdir(), 'qrvend-clone-'));
    assert.equal(existsSync(join(clone, '.emulator/certs/root-ca.der')), false);
    const der = ensureSimulatorCertificates(clone);
    assert.equal(der, join(clone, '.emulator/certs/root-ca.der'));
    assert.equal(existsSync(der), true);
  });

  it('flash says the Moddable Two is programmed through the Moddable Programmer, and the port option', () => {
    assert.match(flashHelp('moddable_two'), /Moddable Programmer.*own USB port only powers it.*--port/);
    assert.match(flashHelp('moddable_two', '/dev/ttyUSB1'), /\/dev\/ttyUSB1/);
    assert.match(flashHelp('plain'), /--port/);
  });
});
