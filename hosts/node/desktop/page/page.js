// The desktop machine's page: the screen pushed from the server (an event per change, then one
// fetch of /screen.png), clicks turned into touches, and the world around the machine. Plain DOM,
// no build step; runs in Chromium and Firefox.
'use strict';

const $ = (id) => document.getElementById(id);
const screens = [$('screen-large'), $('screen-actual')];
const SCREEN_WIDTH = 240;
const SCREEN_HEIGHT = 320;
let state = null;
let salesWrites = -1;

async function post(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) console.warn(path, answer.error || response.status);
  return answer;
}

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

// ---- the screen: one fetch per change, never two at once ----
let shownVersion = -1;
let wantedVersion = 0;
let loading = false;
let objectUrl = null;

async function loadScreen() {
  if (loading || wantedVersion === shownVersion) return;
  loading = true;
  const version = wantedVersion;
  try {
    const blob = await (await fetch(`/screen.png?v=${version}`)).blob();
    const url = URL.createObjectURL(blob);
    await Promise.all(screens.map((img) => new Promise((resolve) => { img.onload = resolve; img.onerror = resolve; img.src = url; })));
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = url;
    shownVersion = version;
    document.body.dataset.frame = String(version);
  } catch (error) {
    console.warn('screen', error);
  } finally {
    loading = false;
  }
  if (wantedVersion !== shownVersion) loadScreen();
}

// ---- touches: press and release on either image; the hold time decides long presses ----
let press = null;
let holdTimer = null;

function point(img, event) {
  const rect = img.getBoundingClientRect();
  const x = Math.floor(((event.clientX - rect.left) / rect.width) * SCREEN_WIDTH);
  const y = Math.floor(((event.clientY - rect.top) / rect.height) * SCREEN_HEIGHT);
  return { x: Math.min(SCREEN_WIDTH - 1, Math.max(0, x)), y: Math.min(SCREEN_HEIGHT - 1, Math.max(0, y)) };
}

for (const img of screens) {
  img.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    img.setPointerCapture(event.pointerId);
    press = { img, ...point(img, event), at: performance.now() };
    img.classList.add('pressed');
    holdTimer = setInterval(() => { $('hold').textContent = `holding ${((performance.now() - press.at) / 1000).toFixed(1)} s`; }, 100);
  });
  const release = (event, cancelled) => {
    if (!press || press.img !== img) return;
    const holdMs = Math.min(60000, Math.round(performance.now() - press.at));
    const { x, y } = press;
    press = null;
    clearInterval(holdTimer);
    $('hold').textContent = '';
    img.classList.remove('pressed');
    if (!cancelled) post('/touch', { x, y, holdMs });
  };
  img.addEventListener('pointerup', (event) => release(event, false));
  img.addEventListener('pointercancel', (event) => release(event, true));
  img.addEventListener('contextmenu', (event) => event.preventDefault());
}

// ---- the controls ----
$('power-cut').addEventListener('click', () => post('/power-cycle', {}));
$('network').addEventListener('change', (event) => post('/network', { up: event.target.checked }));
$('approve').addEventListener('click', () => post('/customer', { action: 'approve' }));
$('reject').addEventListener('click', () => post('/customer', { action: 'reject' }));

// ---- what the machine reports ----
const money = (minor) => (minor / 100).toFixed(2);
const time = (ms) => new Date(ms).toLocaleTimeString();

function badge(id, text, kind) {
  const node = $(id);
  node.textContent = text;
  node.className = `badge ${kind}`;
}

function render(s) {
  state = s;
  badge('power-badge', s.power === 'on' ? 'power on' : s.power === 'booting' ? 'booting' : 'power off', s.power === 'on' ? 'good' : s.power === 'booting' ? 'warn' : 'bad');
  badge('network-badge', s.network ? 'network up' : 'network down', s.network ? 'good' : 'bad');
  badge('service-badge', s.inService ? 'in service' : `out of service${s.outOfService ? `: ${s.outOfService}` : ''}`, s.inService ? 'good' : 'bad');
  $('network').checked = s.network;

  const payment = s.payment;
  $('customer-idle').hidden = Boolean(payment);
  $('customer-payment').hidden = !payment;
  const customerButtons = Boolean(s.emulator);
  $('approve').hidden = !customerButtons;
  $('reject').hidden = !customerButtons;
  if (payment) {
    $('payment-reference').textContent = payment.reference;
    $('phone-page').href = payment.redirectUrl;
  }
  $('emulator-line').textContent = s.emulator ? `Built-in emulator: ${s.emulator.baseUrl} (tester page ${s.emulator.testerPage})` : 'Paying through a real ePayment service: scan the QR with the app.';

  $('power-line').textContent = `${s.boots} boot${s.boots === 1 ? '' : 's'}, ${s.powerCuts} power cut${s.powerCuts === 1 ? '' : 's'}${s.crashes ? `, ${s.crashes} crashes` : ''}`;
  $('power-cut').disabled = s.power !== 'on';

  $('outputs').replaceChildren(...s.outputs.map((o) => element('li', {},
    element('span', { class: `lamp${o.active ? ' on' : ''}`, 'data-pin': String(o.pin), title: o.active ? 'pulsing' : 'off' }),
    element('span', { class: 'grow' }, o.name, element('br'),
      element('span', { class: 'detail' }, `pin ${o.pin} · ${o.pulses} pulse${o.pulses === 1 ? '' : 's'}${o.lastPulse ? ` · last ${time(o.lastPulse.at)}, ${o.lastPulse.ms} ms` : ''}`)))));

  $('sensors').replaceChildren(...(s.sensors.length ? s.sensors.map((sensor) => {
    const input = element('input', { type: 'checkbox', 'data-product': sensor.product });
    input.checked = sensor.drop;
    input.addEventListener('change', () => post('/sensor', { product: sensor.product, drop: input.checked }));
    const stuck = element('input', { type: 'checkbox', 'data-product': sensor.product, 'data-stuck': '' });
    stuck.checked = sensor.stuck;
    stuck.addEventListener('change', () => post('/sensor', { product: sensor.product, stuck: stuck.checked }));
    return element('li', {}, element('label', { class: 'switch' }, input, `${sensor.name}: sees the drop`), element('label', { class: 'switch' }, stuck, 'stuck active'), element('span', { class: 'pin' }, `pin ${sensor.pin}`));
  }) : [element('li', { class: 'muted' }, 'No product has a drop sensor.')]));

  const facts = [
    ['screen', s.state],
    ['reference', s.reference || '—'],
    ['open sale', s.journal && s.journal.openSale ? `${s.journal.openSale.reference} (${s.journal.openSale.phase})` : '—'],
    ['journal', s.journal ? `counter ${s.journal.counter}, ${s.journal.writes} writes` : '—'],
    ['process', s.machine.pid ? `pid ${s.machine.pid}${s.machine.rssBytes ? `, ${(s.machine.rssBytes / 1048576).toFixed(1)} MB` : ''}` : '—'],
    ['tap to QR', s.timings.tapToQrMs === undefined ? '—' : `${s.timings.tapToQrMs.toFixed(1)} ms`],
  ];
  $('machine').replaceChildren(...facts.flatMap(([name, value]) => [element('dt', {}, name), element('dd', {}, value)]));
  $('pending').replaceChildren(...((s.pending && s.pending.length) ? s.pending.map((p) => element('li', {},
    element('span', {}, `${p.operation} ${money(p.amount)}${p.overdue ? ' (overdue)' : ''}`), element('code', {}, p.reference), element('span', { class: 'pin' }, `${p.tries} tries`)))
    : [element('li', { class: 'muted' }, 'none')]));

  const writes = s.journal ? s.journal.writes : -1;
  if (s.power === 'on' && writes !== salesWrites) {
    salesWrites = writes;
    loadSales();
  }
}

async function loadSales() {
  const response = await fetch('/sales');
  if (!response.ok) return;
  const sales = await response.json();
  $('sales').tBodies[0].replaceChildren(...sales.slice(-10).reverse().map((sale) => element('tr', {},
    element('td', {}, new Date(sale.time * 1000).toLocaleString()), element('td', {}, sale.product), element('td', {}, money(sale.amount)),
    element('td', {}, element('code', {}, sale.reference)), element('td', {}, sale.outcome))));
}

const MAX_LOG = 300;
function addLog(line) {
  const list = $('log');
  list.append(element('li', { class: line.level }, `${time(line.at)} ${line.message}`));
  while (list.children.length > MAX_LOG) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
}

// ---- pushed from the server: no polling ----
let firstState = true;
const events = new EventSource('/events');
events.addEventListener('state', (event) => {
  const s = JSON.parse(event.data);
  if (firstState) {
    firstState = false;
    $('log').replaceChildren();
    s.log.forEach(addLog);
  }
  render(s);
});
events.addEventListener('frame', (event) => {
  wantedVersion = JSON.parse(event.data).version;
  loadScreen();
});
events.addEventListener('log', (event) => addLog(JSON.parse(event.data)));
events.addEventListener('error', () => { firstState = true; badge('power-badge', 'server gone', 'bad'); });
