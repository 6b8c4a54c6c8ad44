// One whole sale on the XS engine (xsnap -q prefixes each print with the metering count), with the
// in-memory ePayment service as transport: tap, create, QR, polling, authorized, pulse, capture,
// thank-you. Memory is sampled as live-after-GC at every step the machine takes (each view change
// and each request), which is what the device's small heap must hold; the peak is the largest
// sample above the baseline taken once the code is loaded and the machine is idle.
import { collectXsGarbage, readXsMemory } from '../../tests/support/xs-memory';
import { rig, runUntil, until } from '../../tests/core/sale-fixtures';

declare function print(...values: unknown[]): void;

const r = rig();
await runUntil(r, () => r.machine.view.sale.screen === 'idle');
// Warm up the code paths once (first calls create closures and property names), then measure a second sale.
r.machine.act({ type: 'select', product: 'water' });
await until(r, 'payment');
r.service.setState((r.machine.view.sale as { reference: string }).reference, 'AUTHORIZED');
await until(r, 'thank-you', 30_000);
await until(r, 'idle', 30_000);

// The test service and log keep every request and line for their assertions; here they must not,
// or their records would be counted as the machine's memory.
r.service.requests.push = () => 0;
r.log.lines.push = () => 0;

let peakSlots = 0;
let peakChunk = 0;
let sampling = false;
const sample = () => {
  if (!sampling) return;
  collectXsGarbage();
  const now = readXsMemory();
  if (now.slotsLive > peakSlots) peakSlots = now.slotsLive;
  if (now.chunkBytesLive > peakChunk) peakChunk = now.chunkBytesLive;
};
r.machine.onChange(sample);
const request = r.service.request.bind(r.service);
let requests = 0;
let requestsAtAuthorized = -1;
let requestsAtPayment = -1;
r.service.request = (req) => {
  requests++;
  sample();
  return request(req).then((response) => {
    sample();
    return response;
  });
};
r.machine.onChange(() => {
  const screen = r.machine.view.sale.screen;
  if (screen === 'payment' && requestsAtPayment < 0) requestsAtPayment = requests;
  if (screen === 'releasing' && requestsAtAuthorized < 0) requestsAtAuthorized = requests;
});

collectXsGarbage();
const base = readXsMemory();
const writesBefore = r.machine.journal.writes;
sampling = true;
print('mark');
print('mark');
print('sale-start');
r.machine.act({ type: 'select', product: 'water' });
await until(r, 'payment');
r.service.setState((r.machine.view.sale as { reference: string }).reference, 'AUTHORIZED');
await until(r, 'thank-you', 30_000);
print('sale-end');
sampling = false;
print(`result ${requestsAtPayment} ${requests - requestsAtAuthorized} ${r.machine.journal.writes - writesBefore} ${peakSlots - base.slotsLive} ${peakChunk - base.chunkBytesLive} ${base.slotsLive} ${base.chunkBytesLive}`);
