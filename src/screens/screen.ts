// The screen for what the controller shows: a pure function of its view and the clock. The same
// view and time give the same list on every host.
//
// Building a screen allocates a few thousand XS slots (on XS even reading a string's characters
// does), too many to repeat every second on the device. So the last list is kept: called again
// with the same view objects it is returned as it is, and when only the countdown's second has
// changed, only that one text item is made anew. Either way the result equals a fresh build.
import type { MachineView, SaleScreen } from 'app/sale/view';
import type { TextItem } from 'app/screens/display-list';
import { formatCountdown, secondsLeft } from 'app/format/time';
import { ListBuilder, type ScreenContext } from 'app/screens/builder';
import type { DisplayList } from 'app/screens/display-list';
import { idleScreen } from 'app/screens/idle-screen';
import { messageScreen, outOfServiceScreen } from 'app/screens/message-screens';
import { DANGER, INK, SUCCESS, WARNING } from 'app/screens/palette';
import { paymentScreen } from 'app/screens/payment-screen';
import { pinChangeScreen, servicePinScreen } from 'app/screens/pin-screens';
import { serviceLogScreen, serviceMenuScreen, serviceOutputsScreen, serviceRefundScreen, serviceRestockScreen, serviceStatusScreen } from 'app/screens/service-screens';
import { textsFor } from 'app/texts/index';

export type { ScreenContext } from 'app/screens/builder';

interface LastScreen {
  context: ScreenContext;
  sale: SaleScreen;
  products: MachineView['products'];
  language: MachineView['language'];
  testMode: boolean;
  shape: number;
  seconds: number;
  list: DisplayList;
  tickIndex: number;
  tickPrefix: string;
}

let last: LastScreen | undefined;

/** What the clock changes about a screen's shape: whether the recovery note or the PIN lock is still on. */
function clockShape(sale: SaleScreen, now: number): number {
  if (sale.screen === 'idle') return sale.notice && now < sale.notice.until ? 1 : 0;
  if (sale.screen === 'service-pin') return sale.lockedUntil !== undefined && now < sale.lockedUntil ? 1 : 0;
  return 0;
}

/** The second a screen's countdown shows, or 0 when it has none. */
function clockSeconds(sale: SaleScreen, now: number): number {
  if (sale.screen === 'payment' || sale.screen === 'finish-in-app') return secondsLeft(sale.expiresAt, now);
  if (sale.screen === 'service-pin' && sale.lockedUntil !== undefined) return secondsLeft(sale.lockedUntil, now);
  return 0;
}

export function screen(view: MachineView, now: number, context: ScreenContext): DisplayList {
  const shape = clockShape(view.sale, now);
  const seconds = clockSeconds(view.sale, now);
  const kept = last;
  if (kept && kept.context === context && kept.sale === view.sale && kept.products === view.products && kept.language === view.language &&
    kept.testMode === view.testMode && kept.shape === shape) {
    if (kept.seconds === seconds) return kept.list;
    if (kept.tickIndex >= 0) {
      const previous = kept.list.items[kept.tickIndex] as TextItem;
      const text = kept.tickPrefix + formatCountdown(seconds);
      if (context.fonts.measure(previous.font, text) <= previous.box.width) {
        const items = kept.list.items.slice();
        items[kept.tickIndex] = { kind: 'text', box: previous.box, font: previous.font, color: previous.color, align: previous.align, text };
        kept.list = { screen: kept.list.screen, background: kept.list.background, items, targets: kept.list.targets };
        kept.seconds = seconds;
        return kept.list;
      }
    }
  }
  const b = new ListBuilder(context, textsFor(view.language), view.testMode);
  const list = build(b, view, now);
  last = { context, sale: view.sale, products: view.products, language: view.language, testMode: view.testMode, shape, seconds, list, tickIndex: b.tickIndex, tickPrefix: b.tickPrefix };
  return list;
}

function build(b: ListBuilder, view: MachineView, now: number): DisplayList {
  const t = b.texts;
  const sale = view.sale;
  switch (sale.screen) {
    case 'idle':
      return idleScreen(b, view, sale.page, sale.pages, sale.notice, now);
    case 'creating':
      return messageScreen(b, view, { screen: 'creating', product: sale.product, headline: t.creating, color: INK, body: t.creatingBody, contact: false, dismiss: false }, now);
    case 'payment':
      return paymentScreen(b, view, sale, now);
    case 'finish-in-app':
      return messageScreen(b, view, { screen: 'finish-in-app', product: sale.product, headline: t.finishInApp, color: WARNING, body: t.finishInAppBody, reference: sale.reference, contact: false, dismiss: false, expiresAt: sale.expiresAt }, now);
    case 'releasing':
      return messageScreen(b, view, { screen: 'releasing', product: sale.product, headline: t.releasing, color: SUCCESS, body: t.releasingBody, reference: sale.reference, contact: false, dismiss: false }, now);
    case 'thank-you':
      return messageScreen(b, view, { screen: 'thank-you', product: sale.product, headline: t.thankYou, color: SUCCESS, body: t.thankYouBody, reference: sale.reference, contact: true, dismiss: true }, now);
    case 'reversing':
      return messageScreen(b, view, { screen: 'reversing', product: sale.product, headline: t.reversing, color: WARNING, body: t.reversingBody, reference: sale.reference, contact: true, dismiss: false }, now);
    case 'not-charged':
      return messageScreen(b, view, { screen: 'not-charged', product: sale.product, headline: t.notCharged, color: INK, body: t.notChargedBody, reference: sale.reference, contact: true, dismiss: true }, now);
    case 'cancelled':
      return messageScreen(b, view, { screen: 'cancelled', product: sale.product, headline: t.cancelled, color: INK, body: t.cancelledBody, reference: sale.reference, contact: true, dismiss: true }, now);
    case 'expired':
      return messageScreen(b, view, { screen: 'expired', product: sale.product, headline: t.expired, color: INK, body: t.expiredBody, reference: sale.reference, contact: true, dismiss: true }, now);
    case 'aborted':
      return messageScreen(b, view, { screen: 'aborted', product: sale.product, headline: t.aborted, color: INK, body: t.abortedBody, reference: sale.reference, contact: true, dismiss: true }, now);
    case 'error':
      // "Nothing was charged" only once the service's record says so.
      return messageScreen(b, view, { screen: 'error', product: sale.product, headline: t.error, color: DANGER, body: sale.charged === 'no' ? t.errorNotCharged : t.errorChecking, reference: sale.reference, contact: true, dismiss: true }, now);
    case 'out-of-service':
      return outOfServiceScreen(b, view, sale.reason, sale.detail, now);
    case 'service-pin':
      return servicePinScreen(b, sale.digits, sale.wrong, sale.lockedUntil, now);
    case 'service-menu':
      return serviceMenuScreen(b);
    case 'service-outputs':
      return serviceOutputsScreen(b, view, sale.page, sale.pages, sale.lastFired);
    case 'service-restock':
      return serviceRestockScreen(b, view, sale.page, sale.pages);
    case 'service-status':
      return serviceStatusScreen(b, sale.status, sale.queue);
    case 'service-log':
      return serviceLogScreen(b, view, sale.entries, sale.page, sale.pages);
    case 'service-refund':
      return serviceRefundScreen(b, view, sale.candidates, sale.page, sale.pages, sale.result);
    case 'service-pin-change':
      return pinChangeScreen(b, sale.step, sale.digits, sale.result);
  }
}
