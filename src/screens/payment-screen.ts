// The QR: product and price on top, the QR in the middle, "Scan with <brand>", the time left until
// the payment expires, and Cancel. Only the countdown's text changes from second to second, so only
// its box is redrawn; the QR item stays identical and is never sent again.
import type { MachineView } from 'app/sale/view';
import { formatMoney } from 'app/format/money';
import { formatCountdown, secondsLeft } from 'app/format/time';
import { ListBuilder, MARGIN } from 'app/screens/builder';
import type { DisplayList } from 'app/screens/display-list';
import { brandColor, BUTTON, DANGER, INK, MUTED, WHITE } from 'app/screens/palette';
import { productById, productName } from 'app/screens/products';
import { PAYMENT_QR_BOX, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import { withBrand } from 'app/texts/index';

const QR_BOTTOM = PAYMENT_QR_BOX.y + PAYMENT_QR_BOX.height;
const CANCEL = Object.freeze({ x: 136, width: 96, height: 40 });

/** Product name and price in a band of the wallet's colour, above the QR. */
export function productBand(b: ListBuilder, view: MachineView, productId: string, bandHeight: number): void {
  const { config, fonts } = b.context;
  b.rect(0, 0, SCREEN_WIDTH, bandHeight, brandColor(config.brand));
  const small = fonts.lineHeight('small');
  const medium = fonts.lineHeight('medium');
  const top = Math.max(0, (bandHeight - small - medium) >> 1);
  const width = b.headerRight - MARGIN;
  b.text(MARGIN, top, width, 'small', WHITE, 'left', productName(config, productId, view.language));
  const product = productById(config, productId);
  if (product) b.text(MARGIN, top + small, width, 'medium', WHITE, 'left', formatMoney(product.price, config.currency));
  b.testMark();
}

/** The countdown's label: two short lines of the small font, left of the time. */
const COUNTDOWN_LABEL_WIDTH = 64;
const COUNTDOWN_TIME_WIDTH = 52;
/** How wide the countdown is: label, gap, time. */
export const COUNTDOWN_WIDTH = COUNTDOWN_LABEL_WIDTH + 4 + COUNTDOWN_TIME_WIDTH;

/**
 * "Time left" (up to two lines) beside "mm:ss" in `height` pixels from `top`; the time is its own
 * item, the one that changes every second.
 */
export function countdown(b: ListBuilder, expiresAt: number, now: number, top: number, height: number): void {
  const { fonts } = b.context;
  const small = fonts.lineHeight('small');
  const labelLines = b.lineCount('small', b.texts.timeLeft, COUNTDOWN_LABEL_WIDTH, 2);
  b.paragraph(MARGIN, top + ((height - labelLines * small) >> 1), COUNTDOWN_LABEL_WIDTH, 'small', MUTED, 'left', b.texts.timeLeft, 2);
  const medium = fonts.lineHeight('medium');
  b.countdownText(MARGIN + COUNTDOWN_LABEL_WIDTH + 4, top + ((height - medium) >> 1), COUNTDOWN_TIME_WIDTH, 'medium', INK, 'left', '', formatCountdown(secondsLeft(expiresAt, now)));
}

export function paymentScreen(b: ListBuilder, view: MachineView, sale: { product: string; expiresAt: number; redirectUrl: string; cancelling: boolean }, now: number): DisplayList {
  const { config, fonts } = b.context;
  productBand(b, view, sale.product, PAYMENT_QR_BOX.y);
  b.rect(PAYMENT_QR_BOX.x, PAYMENT_QR_BOX.y, PAYMENT_QR_BOX.width, PAYMENT_QR_BOX.height, WHITE);
  b.items.push({ kind: 'qr', box: PAYMENT_QR_BOX, text: sale.redirectUrl });

  const scanHeight = fonts.lineHeight('medium');
  b.text(8, QR_BOTTOM, SCREEN_WIDTH - 16, 'medium', INK, 'center', withBrand(b.texts.scanWith, config.brand), scanHeight, 'small');

  const rowTop = QR_BOTTOM + scanHeight;
  countdown(b, sale.expiresAt, now, rowTop, SCREEN_HEIGHT - rowTop);
  const cancelY = rowTop + ((SCREEN_HEIGHT - rowTop - CANCEL.height) >> 1);
  if (sale.cancelling) {
    b.rect(CANCEL.x, cancelY, CANCEL.width, CANCEL.height, BUTTON);
    const small = fonts.lineHeight('small');
    b.text(CANCEL.x + 2, cancelY + ((CANCEL.height - small) >> 1), CANCEL.width - 4, 'small', MUTED, 'center', b.texts.cancelling);
  } else {
    b.button(CANCEL.x, cancelY, CANCEL.width, CANCEL.height, b.texts.cancel, { type: 'cancel' }, { fill: DANGER, color: WHITE });
  }
  // Cancelling keeps the screen's name: only the button's box changes, the QR is not sent again.
  return b.finish('payment');
}
