// The provisioning console in release builds (issue 14): the SDK's debugger_none.c leaves UART0
// unset without -d, so ESP_getc/ESP_putc read and print nothing; the console opens UART0 itself
// through embedded:io/serial, and the simulator runs that same code on a file stand-in for
// embedded:io/serial (hosts/moddable/sim/serial-file.ts).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const exists = (path: string) => existsSync(new URL(`../../${path}`, import.meta.url));

describe('the serial console: one code path, UART0 through embedded:io/serial', () => {
  it('the esp32 build includes the SDK\'s serial module; serial-lines is the same module on every platform', () => {
    const manifest = JSON.parse(read('hosts/moddable/manifest.json'));
    assert.ok(manifest.platforms.esp32.include.includes('$(MODDABLE)/modules/io/serial/manifest.json'));
    assert.equal(manifest.modules['hosts/moddable/serial-lines'], './serial-lines');
    assert.equal(manifest.platforms.esp32.modules['hosts/moddable/serial-lines'], undefined);
    assert.equal(manifest.platforms.esp32.modules['embedded:io/serial'], undefined, 'the ESP32 uses the SDK\'s own');
  });

  it('the simulator maps embedded:io/serial to the file stand-in and has no console of its own', () => {
    const sim = JSON.parse(read('hosts/moddable/manifest_sim.json'));
    assert.equal(sim.modules['embedded:io/serial'], './sim/serial-file');
    assert.equal(sim.modules['hosts/moddable/serial-lines'], undefined);
    assert.ok(exists('hosts/moddable/sim/serial-file.ts'));
    assert.ok(!exists('hosts/moddable/sim/serial-lines.ts'), 'the old line stand-in is gone');
  });

  it('the stand-in calls back only from its timer, through a 128-byte FIFO', () => {
    const standIn = read('hosts/moddable/sim/serial-file.ts');
    assert.match(standIn, /const FIFO_BYTES = 128;/);
    assert.doesNotMatch(standIn, /Timer\.repeat/, 'one non-repeating timer at a time');
    // onReadable/onWritable are called in #tick only.
    const body = standIn.slice(standIn.indexOf('export default class'));
    const calls = [...body.matchAll(/#on(Readable|Writable)\?\.call/g)].map((match) => match.index!);
    assert.equal(calls.length, 2);
    const tick = body.indexOf('#tick(): void {');
    const poll = body.indexOf('#poll(): void {');
    for (const at of calls) assert.ok(at > tick && at < poll, 'a callback outside #tick');
  });

  it('opens port 0 with TX 1, RX 3 at 115200 baud, and nothing uses ESP_getc/ESP_putc any more', () => {
    const lines = read('hosts/moddable/serial-lines.ts');
    assert.match(lines, /CONSOLE_PORT = \{ port: 0, transmit: 1, receive: 3, baud: 115200 \}/);
    assert.match(lines, /from 'embedded:io\/serial'/);
    assert.doesNotMatch(read('hosts/moddable/esp32/console-io.c'), /ESP_getc|ESP_putc/);
  });
});
