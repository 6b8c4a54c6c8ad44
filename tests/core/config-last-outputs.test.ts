// A bad configuration (E01) still holds the last good configuration's outputs off, so the pins do
// not float; serviceInputPin, never wired, is refused by name.
import assert from 'node:assert/strict';
import { MemoryStore } from 'journal/memory-store';
import { validateMachineConfig } from 'app/config/validate';
import { decodeOutputs, encodeOutputs, LAST_OUTPUTS_KEY } from 'app/config/last-outputs';
import { rig, testMachineConfig } from './sale-fixtures';

describe('configuration: outputs of the last good one, serviceInputPin', () => {
  it('encodes and decodes the output list with the active-low flags', () => {
    assert.equal(encodeOutputs([{ pin: 26, activeLow: false }, { pin: 27, activeLow: true }]), '26,27!');
    assert.deepEqual(decodeOutputs('26,27!,junk,26'), [{ pin: 26, activeLow: false }, { pin: 27, activeLow: true }]);
    assert.deepEqual(decodeOutputs(undefined), []);
  });

  it('a good configuration keeps its outputs; a bad one at the next boot creates them off, first', () => {
    const store = new MemoryStore();
    const good = rig({ store });
    assert.equal(store.get(LAST_OUTPUTS_KEY), '26,27!');
    good.machine.stop();
    const bad = rig({ store, config: { ...testMachineConfig(), currency: 'XXX' } });
    assert.equal(bad.machine.config, undefined);
    assert.equal(bad.machine.status().outOfService, 'config');
    assert.deepEqual(bad.pins.created, [{ pin: 26, activeLow: false }, { pin: 27, activeLow: true }]);
    assert.equal(bad.pins.pulses.length, 0);
    bad.machine.stop();
  });

  it('a bad configuration with nothing kept creates no outputs', () => {
    const bad = rig({ config: { ...testMachineConfig(), catalog: 'none' } });
    assert.deepEqual(bad.pins.created, []);
    bad.machine.stop();
  });

  it('serviceInputPin is refused by name, and no longer part of the configuration', () => {
    assert.throws(() => validateMachineConfig(testMachineConfig({ serviceInputPin: 4 })), /serviceInputPin is not supported: /);
    assert.equal('serviceInputPin' in validateMachineConfig(testMachineConfig()), false);
  });
});
