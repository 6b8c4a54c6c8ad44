// The firmware build's own checks (tools/firmware): a release build refuses test settings.
import assert from 'node:assert/strict';
import { parseDeviceArgs } from '../../tools/firmware/build-esp32';
import { releaseProblem } from '../../hosts/moddable/release-settings';

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
