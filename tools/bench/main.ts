// `npm run bench`: the project's performance figures. `--json` prints one JSON object on stdout;
// each section adds a top-level key (README: "Benchmark").
import { benchQr, type QrBench } from './qr';
import { benchEpayment, printEpaymentTable, type EpaymentBench } from './epayment';

const json = process.argv.includes('--json');

function printQrTable(rows: QrBench[]): void {
  console.log('QR (payment box 240x240 on a 240x320 screen; XS counts are metering units, deterministic)');
  console.table(rows.map((row) => ({
    chars: row.chars,
    version: row.version,
    scale: row.scale,
    'XS encode': row.xsEncodeMeter,
    'XS draw': row.xsDrawMeter,
    'Node encode ms': row.nodeEncodeMs,
    'Node draw ms': row.nodeDrawMs,
    'bytes sent': row.bytesSent,
  })));
}

const report: Record<string, unknown> = {};
report.qr = await benchQr();
report.epayment = await benchEpayment();

if (json) {
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  printQrTable(report.qr as QrBench[]);
  printEpaymentTable(report.epayment as EpaymentBench);
}
