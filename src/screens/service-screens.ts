// Service mode for the operator: the menu, test-firing outputs, restocking, status, the sales log
// and refunds. Everything shown from the configuration or the API is sanitised and fitted like
// the customer's screens.
import type { MachineView, QueueEntryView, SaleOutcome, SalesLogEntry, ServiceMenuItem, StatusView } from 'app/sale/view';
import { SERVICE_MENU } from 'app/sale/view';
import { formatMoney } from 'app/format/money';
import { formatLogTime } from 'app/format/time';
import { HEADER_HEIGHT, labelFits, ListBuilder, MARGIN } from 'app/screens/builder';
import type { FontId } from 'app/screens/font-book';
import { sanitize } from 'app/format/text';
import type { DisplayList } from 'app/screens/display-list';
import { BUTTON, DANGER, DIVIDER, INK, MUTED, SERVICE, SUCCESS, WHITE } from 'app/screens/palette';
import { productById, productName, stockOf } from 'app/screens/products';
import { LOG_ENTRIES_PER_PAGE, OUTPUT_ROWS, REFUND_ENTRIES_PER_PAGE, RESTOCK_PRODUCTS_PER_PAGE, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import type { TextKey } from 'app/texts/texts';

const CONTENT_WIDTH = SCREEN_WIDTH - 2 * MARGIN;
const PAGER_Y = SCREEN_HEIGHT - 44;
const MENU_BUTTON = Object.freeze({ width: 112, height: 58 });

const MENU_LABELS: Record<ServiceMenuItem, TextKey> = {
  outputs: 'menuOutputs', restock: 'menuRestock', status: 'menuStatus', log: 'menuLog', refund: 'menuRefund', pin: 'menuPin', exit: 'menuExit',
};

const OUTCOME_LABELS: Record<SaleOutcome, TextKey> = {
  captured: 'outcomeCaptured', 'capture-pending': 'outcomeCapturePending', 'capture-overdue': 'outcomeCaptureOverdue',
  'capture-expired': 'outcomeCaptureExpired', cancelled: 'outcomeCancelled', 'cancel-pending': 'outcomeCancelPending',
  aborted: 'outcomeAborted', expired: 'outcomeExpired', terminated: 'outcomeTerminated', failed: 'outcomeFailed',
  refunded: 'outcomeRefunded', 'test-fire': 'outcomeTestFire',
};

const OPERATION_LABELS: Record<QueueEntryView['operation'], TextKey> = { capture: 'opCapture', cancel: 'opCancel', refund: 'opRefund' };

/** A reference without this machine's own prefix ("1042-k3j9x0"): every reference here starts with the posId. */
function shortReference(reference: string, posId: string): string {
  return reference.length > posId.length + 1 && reference.startsWith(posId) && reference[posId.length] === '-' ? reference.slice(posId.length + 1) : reference;
}

/** The base URL as the operator reads it: https is the rule, so only another scheme is shown. */
function withoutHttps(url: string): string {
  return url.startsWith('https://') ? url.slice(8) : url;
}

/** Two columns of large buttons, one per menu item, all labels in one font: the largest every label fits. */
export function serviceMenuScreen(b: ListBuilder): DisplayList {
  const t = b.texts;
  const { fonts } = b.context;
  b.header(t.service, SERVICE);
  let font: FontId = 'medium';
  for (let i = 0; i < SERVICE_MENU.length && font === 'medium'; i++) {
    const label = sanitize(fonts, 'medium', t[MENU_LABELS[SERVICE_MENU[i]]]);
    if (!labelFits(fonts, 'medium', label, MENU_BUTTON.width - 8, MENU_BUTTON.height, 1) && !labelFits(fonts, 'medium', label, MENU_BUTTON.width - 8, MENU_BUTTON.height, 2)) font = 'small';
  }
  for (let i = 0; i < SERVICE_MENU.length; i++) {
    const item = SERVICE_MENU[i];
    const x = i % 2 === 0 ? 4 : SCREEN_WIDTH - 4 - MENU_BUTTON.width;
    const y = HEADER_HEIGHT + 8 + Math.floor(i / 2) * (MENU_BUTTON.height + 8);
    b.button(x, y, MENU_BUTTON.width, MENU_BUTTON.height, t[MENU_LABELS[item]], { type: 'menu', item }, item === 'exit' ? { font, fill: SERVICE, color: WHITE } : { font });
  }
  return b.finish('service-menu');
}

/** One row per product with a Test button that pulses its output; the last one fired shows green. */
export function serviceOutputsScreen(b: ListBuilder, view: MachineView, page: number, pages: number, lastFired: string | undefined): DisplayList {
  const t = b.texts;
  const { config, fonts } = b.context;
  b.header(t.menuOutputs, SERVICE, true);
  const small = fonts.lineHeight('small');
  const products = view.products;
  const first = page * OUTPUT_ROWS;
  for (let i = 0, y = HEADER_HEIGHT + 4; i < OUTPUT_ROWS && first + i < products.length; i++, y += 46) {
    const id = products[first + i].id;
    const output = productById(config, id)?.output;
    b.text(MARGIN, y, 140, 'small', INK, 'left', productName(config, id, view.language));
    if (output) b.text(MARGIN, y + small, 140, 'small', MUTED, 'left', `GPIO ${output.pin} \u00b7 ${output.pulseMs} ms`);
    const fired = id === lastFired;
    b.button(160, y + 2, 72, 40, fired && fonts.has('small', 0x2713) ? `${t.fire} \u2713` : t.fire, { type: 'fire', product: id }, fired ? { font: 'small', fill: SUCCESS, color: WHITE } : { font: 'small' });
  }
  b.pager(PAGER_Y, page, pages);
  return b.finish('service-outputs');
}

/** Per product: -/+ on the count and a sold-out toggle that shows the product's state. */
export function serviceRestockScreen(b: ListBuilder, view: MachineView, page: number, pages: number): DisplayList {
  const t = b.texts;
  const { config, fonts } = b.context;
  b.header(t.menuRestock, SERVICE, true);
  const small = fonts.lineHeight('small');
  const first = page * RESTOCK_PRODUCTS_PER_PAGE;
  for (let i = 0; i < RESTOCK_PRODUCTS_PER_PAGE && first + i < view.products.length; i++) {
    const product = view.products[first + i];
    const y = HEADER_HEIGHT + 4 + i * 76;
    b.text(MARGIN, y, CONTENT_WIDTH, 'small', INK, 'left', productName(config, product.id, view.language));
    const controls = y + small + 2;
    const stock = stockOf(product, config);
    b.button(MARGIN, controls, 40, 40, '\u2212', { type: 'restock', product: product.id, delta: -1 }, { disabled: stock === undefined || stock <= 0 });
    b.text(MARGIN + 40, controls, 40, 'medium', INK, 'center', stock === undefined ? '\u2013' : String(stock), 40);
    b.button(MARGIN + 80, controls, 40, 40, '+', { type: 'restock', product: product.id, delta: 1 }, { disabled: stock === undefined });
    // A product fault shows instead of the sold-out state; pressing it clears the fault.
    b.button(138, controls, 94, 40, product.fault ? t.sensorFault : product.soldOut ? t.soldOutShort : t.onSale, { type: 'toggle-sold-out', product: product.id },
      { font: 'small', fill: product.soldOut ? DANGER : SUCCESS, color: WHITE });
    b.rect(MARGIN, controls + 46, CONTENT_WIDTH, 1, DIVIDER);
  }
  b.pager(PAGER_Y, page, pages);
  return b.finish('service-restock');
}

/** Label and value lines: network, clock, the NTP server that set it, token, last API result, server, queue, then the settings. */
export function serviceStatusScreen(b: ListBuilder, status: StatusView, queue: readonly QueueEntryView[]): DisplayList {
  const t = b.texts;
  const { config, fonts } = b.context;
  b.header(t.menuStatus, SERVICE, true);
  const small = fonts.lineHeight('small');
  let y = HEADER_HEIGHT + 4;
  const line = (label: string, value: string, good: boolean) => {
    b.text(MARGIN, y, 84, 'small', MUTED, 'left', label);
    b.text(MARGIN + 88, y, CONTENT_WIDTH - 88, 'small', good ? INK : DANGER, 'left', value);
    y += small;
  };
  line(t.network, status.network ? t.statusOk : t.statusMissing, status.network);
  line(t.clock, status.clockSet ? t.statusOk : t.statusMissing, status.clockSet);
  // Which NTP server answered: none on the simulator, whose clock is the computer's.
  line(t.timeServer, status.timeServer ?? (status.clockSet ? '-' : t.statusMissing), status.clockSet);
  line(t.token, status.tokenFreshSeconds > 0 ? `${status.tokenFreshSeconds} s` : t.statusMissing, status.tokenFreshSeconds > 0);
  line(t.api, status.api, status.api === 'ok');
  line(t.server, withoutHttps(status.baseUrl), true);
  let overdue = 0;
  let late = 0;
  for (let i = 0; i < queue.length; i++) {
    if (queue[i].overdue) overdue++;
    else if (queue[i].late) late++;
  }
  const flagged = [overdue > 0 ? `${overdue} ${t.overdue}` : '', late > 0 ? `${late} ${t.late}` : ''].filter((part) => part !== '').join(', ');
  line(t.queue, flagged ? `${queue.length} (${flagged})` : String(queue.length), flagged === '');
  const bottom = SCREEN_HEIGHT - 4;
  // Each queued operation: what and how much, with the tries so far, then its reference.
  for (let i = 0; i < queue.length && y + 2 * small <= bottom; i++, y += 2 * small) {
    const entry = queue[i];
    b.text(MARGIN, y, CONTENT_WIDTH, 'small', entry.overdue || entry.late ? DANGER : INK, 'left', `${t[OPERATION_LABELS[entry.operation]]} ${formatMoney(entry.amount, config.currency)} (${entry.tries}\u00d7)`);
    b.text(MARGIN + 12, y + small, CONTENT_WIDTH - 12, 'small', MUTED, 'left', shortReference(entry.reference, config.posId));
  }
  if (y + small <= bottom) b.rect(MARGIN, y + 3, CONTENT_WIDTH, 1, DIVIDER);
  y += 6;
  for (let i = 0; i < status.settings.length && y + small <= bottom; i++, y += small) {
    b.text(MARGIN, y, CONTENT_WIDTH, 'small', MUTED, 'left', status.settings[i]);
  }
  return b.finish('service-status');
}

/** Two lines a sale: time, product and amount; outcome and reference. */
function saleRow(b: ListBuilder, view: MachineView, entry: SalesLogEntry, y: number): void {
  const t = b.texts;
  const { config, fonts } = b.context;
  const small = fonts.lineHeight('small');
  const amount = formatMoney(entry.amount, config.currency);
  const amountWidth = Math.min(96, fonts.measure('small', amount));
  const nameWidth = CONTENT_WIDTH - amountWidth - 6;
  b.text(MARGIN, y, nameWidth, 'small', INK, 'left', `${formatLogTime(entry.time, config.timeZoneOffsetMinutes)} ${productName(config, entry.product, view.language)}`);
  b.text(SCREEN_WIDTH - MARGIN - amountWidth, y, amountWidth, 'small', INK, 'right', amount);
  const outcome = t[OUTCOME_LABELS[entry.outcome]] ?? entry.outcome;
  const bad = entry.outcome === 'capture-overdue' || entry.outcome === 'capture-expired' || entry.outcome === 'failed';
  b.text(MARGIN, y + small, CONTENT_WIDTH, 'small', bad ? DANGER : MUTED, 'left', `${outcome} \u00b7 ${shortReference(entry.reference, config.posId)}`);
}

export function serviceLogScreen(b: ListBuilder, view: MachineView, entries: readonly SalesLogEntry[], page: number, pages: number): DisplayList {
  const t = b.texts;
  b.header(t.menuLog, SERVICE, true);
  if (entries.length === 0) b.text(MARGIN, HEADER_HEIGHT + 12, CONTENT_WIDTH, 'medium', MUTED, 'left', t.noSales);
  for (let i = 0; i < LOG_ENTRIES_PER_PAGE && i < entries.length; i++) {
    const y = HEADER_HEIGHT + 4 + i * 54;
    saleRow(b, view, entries[i], y);
    b.rect(MARGIN, y + 50, CONTENT_WIDTH, 1, DIVIDER);
  }
  b.pager(PAGER_Y, page, pages);
  return b.finish('service-log');
}

/** The sales that can be refunded; a tap on one asks the controller to refund it. */
export function serviceRefundScreen(b: ListBuilder, view: MachineView, candidates: readonly SalesLogEntry[], page: number, pages: number, result: 'refunded' | 'failed' | undefined): DisplayList {
  const t = b.texts;
  const { fonts } = b.context;
  b.header(t.menuRefund, SERVICE, true);
  const small = fonts.lineHeight('small');
  const prompt = result === 'refunded' ? t.refundDone : result === 'failed' ? t.refundFailed : candidates.length === 0 ? t.nothingToRefund : t.refundPick;
  b.text(MARGIN, HEADER_HEIGHT + 2, CONTENT_WIDTH, 'small', result === 'refunded' ? SUCCESS : result === 'failed' ? DANGER : MUTED, 'left', prompt);
  const top = HEADER_HEIGHT + 4 + small;
  for (let i = 0; i < REFUND_ENTRIES_PER_PAGE && i < candidates.length; i++) {
    const y = top + i * 52;
    b.rect(0, y, SCREEN_WIDTH, 48, BUTTON);
    saleRow(b, view, candidates[i], y + 2);
    b.target(0, y, SCREEN_WIDTH, 48, { type: 'refund', reference: candidates[i].reference });
  }
  b.pager(PAGER_Y, page, pages);
  return b.finish('service-refund');
}
