// The provisioning console in release builds (issue 14): the SDK's debugger_none.c leaves UART0
// unset without -d, so ESP_getc/ESP_putc read and print nothing; the console opens UART0 itself
// through embedded:io/serial, and the simulator runs that same code on a file stand-in.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the serial console: one code path, UART0 through embedded:io/serial', () => {
  it('the esp32 build includes the SDK\'s serial module; serial-lines is the same module on every platform', () => {
    const manifest = JSON.parse(read('hosts/moddable/manifest.json'));
    assert.ok(manifest.platforms.esp32.include.includes('$(MODDABLE)/modules/io/serial/manifest.json'));
    assert.equal(manifest.modules['hosts/moddable/serial-lines'], './serial-lines');
    assert.equal(manifest.platforms.esp32.modules['hosts/moddable/serial-lines'], undefined);
  });

  it('the simulator maps embedded:io/serial to the file stand-in, not a console of its own', () => {
    const sim = JSON.parse(read('hosts/moddable/manifest_sim.json'));
    assert.equal(sim.modules['embedded:io/serial'], './sim/serial-file');
    assert.equal(sim.modules['hosts/moddable/serial-lines'], undefined);
  });

  it('opens port 0 with TX 1, RX 3 at 115200 baud, and nothing uses ESP_getc/ESP_putc any more', () => {
    const lines = read('hosts/moddable/serial-lines.ts');
    assert.match(lines, /CONSOLE_PORT = \{ port: 0, transmit: 1, receive: 3, baud: 115200 \}/);
    assert.match(lines, /from 'embedded:io\/serial'/);
    assert.doesNotMatch(read('hosts/moddable/esp32/console-io.c'), /ESP_getc|ESP_putc/);
  });
});
