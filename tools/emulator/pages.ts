// The two pages a person uses: the tester page at `/` (every payment, live, with buttons), and the
// phone page that a payment's target URL opens ("scanning the QR with the phone"). Both are plain
// HTML with a little script that calls the admin API; no framework, nothing to build.
import type { CreateRequest } from './payments';
import type { PaymentRecord } from './types';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function formatAmount(amount: { currency: string; value: number }): string {
  return `${(amount.value / 100).toFixed(2)} ${amount.currency}`;
}

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
  h1 { font-size: 1.3rem; } table { border-collapse: collapse; width: 100%; font-size: .9rem; }
  th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
  .state { font-weight: 600; } .CREATED { color: #b58900; } .AUTHORIZED { color: #2a7d2a; }
  .ABORTED, .EXPIRED, .TERMINATED { color: #a33; }
  button { margin: 0 .2rem .2rem 0; padding: .3rem .7rem; cursor: pointer; }
  .muted { color: #777; font-size: .85rem; } code { font-size: .85rem; }
`;

export function testerPage(merchantName: string, merchantSerialNumber: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ePayment emulator</title><style>${STYLE}</style></head>
<body>
<h1>ePayment emulator: ${escapeHtml(merchantName)} (MSN ${escapeHtml(merchantSerialNumber)})</h1>
<p class="muted">Emulator time <span id="clock">…</span>
  <button data-advance="60">+1 min</button><button data-advance="300">+5 min</button><button data-advance="600">+10 min</button>
  · <span id="counters"></span> · <button id="clear-faults">Clear faults</button> <span id="faults"></span></p>
<table>
  <thead><tr><th>Reference</th><th>State</th><th>Amount</th><th>Description</th><th>Aggregate (authorized / captured / cancelled / refunded)</th><th>Events</th><th>Customer</th></tr></thead>
  <tbody id="payments"><tr><td colspan="7" class="muted">Loading…</td></tr></tbody>
</table>
<script>
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const money = (a) => (a.value / 100).toFixed(2) + ' ' + a.currency;
async function post(path, body) {
  const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) });
  if (!r.ok) alert((await r.json()).error || r.statusText);
  refresh();
}
function row(p) {
  const a = p.aggregate;
  const actions = p.state === 'CREATED'
    ? ['approve', 'reject', 'expire'].map((act) => '<button data-ref="' + esc(p.reference) + '" data-act="' + act + '">' + act[0].toUpperCase() + act.slice(1) + '</button>').join('')
      + ' <a href="' + esc(p.targetUrl) + '" target="_blank">phone page</a>' + (p.customerAuthorizing ? ' <span class="muted">(in the app)</span>' : '')
    : '';
  return '<tr><td><code>' + esc(p.reference) + '</code></td><td class="state ' + esc(p.state) + '">' + esc(p.state) + '</td><td>' + money(p.amount)
    + '</td><td>' + esc(p.request.paymentDescription || '') + '</td><td>' + [a.authorizedAmount, a.capturedAmount, a.cancelledAmount, a.refundedAmount].map(money).join(' / ')
    + '</td><td>' + p.events.map((e) => esc(e.name) + ' <span class="muted">' + esc(e.timestamp.slice(11, 19)) + '</span>').join('<br>') + '</td><td>' + actions + '</td></tr>';
}
async function refresh() {
  try {
    const [payments, clock, counters, faults] = await Promise.all(['/emulator/payments', '/emulator/clock', '/emulator/counters', '/emulator/faults'].map((u) => fetch(u).then((r) => r.json())));
    document.getElementById('clock').textContent = clock.now + (clock.offsetSeconds ? ' (+' + clock.offsetSeconds + ' s)' : '');
    document.getElementById('counters').textContent = counters.connections + ' connections, ' + counters.tlsHandshakes + ' TLS handshakes, '
      + Object.values(counters.requests).reduce((x, y) => x + y, 0) + ' API requests';
    document.getElementById('faults').textContent = faults.length ? faults.length + ' fault(s) armed' : 'no faults';
    const rows = payments.slice().reverse().map(row).join('');
    document.getElementById('payments').innerHTML = rows || '<tr><td colspan="7" class="muted">No payments yet.</td></tr>';
  } catch (e) { document.getElementById('clock').textContent = 'emulator not reachable'; }
}
document.addEventListener('click', (ev) => {
  const t = ev.target;
  if (t.dataset.act) post('/emulator/payments/' + encodeURIComponent(t.dataset.ref) + '/' + t.dataset.act);
  if (t.dataset.advance) post('/emulator/clock/advance', { seconds: Number(t.dataset.advance) });
  if (t.id === 'clear-faults') fetch('/emulator/faults', { method: 'DELETE' }).then(refresh);
});
refresh(); setInterval(refresh, 1000);
</script>
</body></html>
`;
}

/** What the customer sees in the app after scanning: merchant, amount, description, two buttons. */
export function phonePage(record: PaymentRecord, merchantName: string): string {
  const request = record.request as CreateRequest;
  const open = record.state === 'CREATED';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pay ${escapeHtml(merchantName)}</title><style>${STYLE}
  body { max-width: 24rem; margin: 2rem auto; text-align: center; } .amount { font-size: 2rem; font-weight: 700; margin: 1rem 0; }
  button { font-size: 1.1rem; padding: .7rem 1.4rem; } #approve { background: #2a7d2a; color: #fff; border: 0; } #reject { background: #eee; border: 0; }
</style></head>
<body>
<p class="muted">ePayment emulator · the customer's app</p>
<h1>${escapeHtml(merchantName)}</h1>
<div class="amount">${escapeHtml(formatAmount(record.amount))}</div>
<p>${escapeHtml(request.paymentDescription ?? '')}</p>
<p class="muted">Reference <code>${escapeHtml(record.reference)}</code></p>
${open ? '<p><button id="approve">Approve</button> <button id="reject">Reject</button></p>' : `<p class="state ${escapeHtml(record.state)}">${escapeHtml(record.state)}</p>`}
<p id="result"></p>
<script>
const reference = ${JSON.stringify(record.reference).replace(/</g, '\\u003c')};
for (const action of ['approve', 'reject']) {
  const button = document.getElementById(action);
  if (button) button.addEventListener('click', async () => {
    const r = await fetch('/emulator/payments/' + encodeURIComponent(reference) + '/' + action, { method: 'POST' });
    const body = await r.json();
    document.getElementById('result').textContent = r.ok ? (action === 'approve' ? 'Paid. You can close this page.' : 'Payment rejected.') : body.error;
    if (r.ok) document.querySelectorAll('button').forEach((b) => b.remove());
  });
}
</script>
</body></html>
`;
}
