// The provisioning console in release builds (issue 14): the SDK's debugger_none.c leaves UART0
// unset without -d, so ESP_getc/ESP_putc read and print nothing; the console opens UART0 itself
// through embedded:io/serial. (The simulator keeps its file stand-in for the console's lines.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the serial console: UART0 through embedded:io/serial on the ESP32', () => {
  it('the esp32 build includes the SDK\'s serial module and the UART0 console', () => {
    const manifest = JSON.parse(read('hosts/moddable/manifest.json'));
    assert.ok(manifest.platforms.esp32.include.includes('$(MODDABLE)/modules/io/serial/manifest.json'));
    assert.equal(manifest.platforms.esp32.modules['hosts/moddable/serial-lines'], './serial-lines');
  });

  it('opens port 0 with TX 1, RX 3 at 115200 baud, and nothing uses ESP_getc/ESP_putc any more', () => {
    const lines = read('hosts/moddable/serial-lines.ts');
    assert.match(lines, /CONSOLE_PORT = \{ port: 0, transmit: 1, receive: 3, baud: 115200 \}/);
    assert.match(lines, /from 'embedded:io\/serial'/);
    assert.doesNotMatch(read('hosts/moddable/esp32/console-io.c'), /ESP_getc|ESP_putc/);
  });
});
