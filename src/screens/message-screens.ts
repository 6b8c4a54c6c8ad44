// The screens that tell the customer something: waiting, approved, thank you, reversing, not
// charged, cancelled, expired, aborted, something went wrong, out of service. One layout: the
// product and price (or the wallet's name) on top, a headline, a message, and anchored at the
// bottom the payment reference and the operator's contact line, then OK where the customer may go
// back to the product list.
import type { MachineView, OutOfServiceReason } from 'app/sale/view';
import { OUT_OF_SERVICE_CODES } from 'app/sale/view';
import { ListBuilder, HEADER_HEIGHT, MARGIN } from 'app/screens/builder';
import type { DisplayList } from 'app/screens/display-list';
import { brandColor, DANGER, INK, MUTED } from 'app/screens/palette';
import { countdown, productBand } from 'app/screens/payment-screen';
import { PAYMENT_QR_BOX, SCREEN_HEIGHT, SCREEN_WIDTH, SERVICE_HOLD_MS } from 'app/layout';

export interface Message {
  screen: string;
  product?: string;
  headline: string;
  color: number;
  body: string;
  /** Shown small under the message (e.g. the reason code's detail). */
  extra?: string;
  reference?: string;
  /** The operator's contact line. */
  contact: boolean;
  /** An OK button that goes back to the product list. */
  dismiss: boolean;
  /** A countdown to this clock time at the bottom (finishing in the app). */
  expiresAt?: number;
  /** The long press on the top-left corner enters service mode (out of service). */
  serviceCorner?: boolean;
}

const SIDE = MARGIN;
const CONTENT_WIDTH = SCREEN_WIDTH - 2 * SIDE;

export function messageScreen(b: ListBuilder, view: MachineView, message: Message, now: number): DisplayList {
  const { config, fonts } = b.context;
  let top: number;
  if (message.product !== undefined) {
    productBand(b, view, message.product, PAYMENT_QR_BOX.y);
    top = PAYMENT_QR_BOX.y;
  } else {
    b.header(config.brand, brandColor(config.brand));
    top = HEADER_HEIGHT;
  }
  if (message.serviceCorner) b.target(0, 0, 48, HEADER_HEIGHT, { type: 'service' }, SERVICE_HOLD_MS);

  // From the bottom up: OK (or the countdown), the contact line, the reference.
  const small = fonts.lineHeight('small');
  let bottom = SCREEN_HEIGHT - 8;
  if (message.dismiss) {
    bottom -= 40;
    b.button((SCREEN_WIDTH - 120) >> 1, bottom, 120, 40, b.texts.ok, { type: 'dismiss' });
    bottom -= 8;
  } else if (message.expiresAt !== undefined) {
    bottom = SCREEN_HEIGHT - 48;
    countdown(b, message.expiresAt, now, bottom, 48);
    bottom -= 4;
  }
  if (message.contact && config.operatorContact) {
    const lines = b.lineCount('small', config.operatorContact, CONTENT_WIDTH, 2);
    bottom -= lines * small;
    b.paragraph(SIDE, bottom, CONTENT_WIDTH, 'small', MUTED, 'left', config.operatorContact, 2);
  }
  if (message.reference) {
    const text = `${b.texts.reference} ${message.reference}`;
    const lines = b.lineCount('small', text, CONTENT_WIDTH, 2);
    bottom -= lines * small;
    b.paragraph(SIDE, bottom, CONTENT_WIDTH, 'small', MUTED, 'left', text, 2);
  }

  // From the top down: the headline, a rule in its colour, the message, the extra line.
  let y = top + 10;
  // The headline in large type (up to two lines) when the message still fits whole below it, else
  // in the semibold 20.
  const extraHeight = message.extra ? b.lineCount('small', message.extra, CONTENT_WIDTH, 2) * small : 0;
  const largeLines = b.lineCount('large', message.headline, CONTENT_WIDTH, 3);
  const room = bottom - 6 - extraHeight - (y + largeLines * fonts.lineHeight('large') + 12);
  const bodyLines = Math.floor(room / fonts.lineHeight('body'));
  const headlineFont = largeLines <= 2 && bodyLines > 0 && b.lineCount('body', message.body, CONTENT_WIDTH, bodyLines + 1) <= bodyLines ? 'large' : 'medium';
  y = b.paragraph(SIDE, y, CONTENT_WIDTH, headlineFont, message.color, 'left', message.headline, 2);
  b.rect(SIDE, y + 2, 48, 4, message.color);
  y += 12;
  const extraLines = message.extra ? b.lineCount('small', message.extra, CONTENT_WIDTH, 2) : 0;
  y = b.paragraphIn(SIDE, y, CONTENT_WIDTH, bottom - 6 - y - extraLines * small, 'body', 'small', INK, message.body);
  if (message.extra && y + small <= bottom) b.paragraph(SIDE, y + 4, CONTENT_WIDTH, 'small', MUTED, 'left', message.extra, Math.min(extraLines, Math.floor((bottom - y - 4) / small)));
  return b.finish(message.screen);
}

export function outOfServiceScreen(b: ListBuilder, view: MachineView, reason: OutOfServiceReason, detail: string | undefined, now: number): DisplayList {
  const t = b.texts;
  const code = OUT_OF_SERVICE_CODES[reason] ?? 'E00';
  return messageScreen(b, view, {
    screen: 'out-of-service',
    headline: t.outOfService,
    color: DANGER,
    body: reason === 'touch' ? t.outOfServiceTouch : t.outOfServiceBody,
    extra: detail ? `${t.code} ${code}: ${detail}` : `${t.code} ${code}`,
    contact: true,
    dismiss: false,
    serviceCorner: true,
  }, now);
}
