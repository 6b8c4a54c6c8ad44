// The product list: four products a page, a pager when there are more, the language switch, and the
// hidden service corner. After a restart, the note about the previous sale takes the list's place
// until it is dismissed or its time is up.
import type { Language } from 'app/config/machine-config';
import type { MachineView, RecoveryNotice } from 'app/sale/view';
import { formatMoney } from 'app/format/money';
import { HEADER_HEIGHT, ListBuilder, MARGIN } from 'app/screens/builder';
import type { DisplayList } from 'app/screens/display-list';
import { brandColor, BUTTON, DIVIDER, GREYED, INK, MUTED, NOTICE, SUCCESS, WARNING, WHITE } from 'app/screens/palette';
import { productName } from 'app/screens/products';
import { IDLE_PRODUCTS_PER_PAGE, SCREEN_HEIGHT, SCREEN_WIDTH, SERVICE_HOLD_MS } from 'app/layout';
import { LANGUAGE_LABELS } from 'app/texts/index';

const ROW_HEIGHT = 50;
const PAGER_Y = HEADER_HEIGHT + IDLE_PRODUCTS_PER_PAGE * ROW_HEIGHT;
const LANGUAGE_Y = SCREEN_HEIGHT - 40;

export function idleScreen(b: ListBuilder, view: MachineView, page: number, pages: number, notice: RecoveryNotice | undefined, now: number): DisplayList {
  const { config, fonts } = b.context;
  b.header(b.texts.chooseProduct, brandColor(config.brand));
  // The service corner: a long press on the header's left end.
  b.target(0, 0, 48, HEADER_HEIGHT, { type: 'service' }, SERVICE_HOLD_MS);

  if (notice && now < notice.until) {
    recoveryNotice(b, notice);
  } else {
    const first = page * IDLE_PRODUCTS_PER_PAGE;
    const products = view.products;
    const nameHeight = fonts.lineHeight('medium');
    for (let i = 0; i < IDLE_PRODUCTS_PER_PAGE && first + i < products.length; i++) {
      const product = products[first + i];
      const y = HEADER_HEIGHT + i * ROW_HEIGHT;
      const name = productName(config, product.id, view.language);
      b.text(MARGIN, y + 1, SCREEN_WIDTH - 2 * MARGIN, 'medium', product.soldOut ? GREYED : INK, 'left', name);
      const price = formatMoney(product.price, config.currency);
      b.text(MARGIN, y + 1 + nameHeight, SCREEN_WIDTH - 2 * MARGIN, 'small', product.soldOut ? GREYED : MUTED, 'left', product.soldOut ? `${b.texts.soldOut} \u00b7 ${price}` : price);
      b.rect(MARGIN, y + ROW_HEIGHT - 1, SCREEN_WIDTH - 2 * MARGIN, 1, DIVIDER);
      if (!product.soldOut) b.target(0, y, SCREEN_WIDTH, ROW_HEIGHT - 1, { type: 'select', product: product.id });
    }
    b.pager(PAGER_Y, page, pages);
  }
  languageSwitch(b, config.languages, view.language);
  return b.finish(notice && now < notice.until ? 'idle-notice' : 'idle');
}

/** One button per offered language, the current one filled. */
function languageSwitch(b: ListBuilder, languages: readonly Language[], current: Language): void {
  if (languages.length < 2) return;
  const width = Math.floor(SCREEN_WIDTH / languages.length);
  const accent = brandColor(b.context.config.brand);
  for (let i = 0; i < languages.length; i++) {
    const language = languages[i];
    const selected = language === current;
    const x = i * width + ((SCREEN_WIDTH - width * languages.length) >> 1);
    b.rect(x + 2, LANGUAGE_Y + 2, width - 4, 36, selected ? accent : BUTTON);
    const lineHeight = b.fonts.lineHeight('small');
    b.text(x + 2, LANGUAGE_Y + ((40 - lineHeight) >> 1), width - 4, 'small', selected ? WHITE : INK, 'center', LANGUAGE_LABELS[language], lineHeight);
    b.target(x, LANGUAGE_Y, width, 40, { type: 'language', language });
  }
}

function recoveryNotice(b: ListBuilder, notice: RecoveryNotice): void {
  const t = b.texts;
  const { config, fonts } = b.context;
  const top = HEADER_HEIGHT;
  const bottom = LANGUAGE_Y - 4;
  const x = 8;
  const width = SCREEN_WIDTH - 2 * x;
  b.rect(0, top, SCREEN_WIDTH, bottom - top, NOTICE);
  const color = notice.outcome === 'pending' ? WARNING : notice.outcome === 'completed' ? SUCCESS : INK;
  const y = b.paragraph(x, top + 8, width, 'medium', color, 'left', t.noticeTitle, 1);
  const message = notice.outcome === 'completed' ? t.noticeCompleted : notice.outcome === 'cancelled' ? t.noticeCancelled : t.noticePending;
  const small = fonts.lineHeight('small');
  const okTop = bottom - 8 - 40;
  // Reference and contact sit above the OK button; the message takes what is left above them.
  const reference = `${t.reference} ${notice.reference}`;
  const referenceLines = b.lineCount('small', reference, width, 2);
  const contactLines = b.lineCount('small', config.operatorContact, width, 2);
  const referenceTop = okTop - 6 - (referenceLines + contactLines) * small;
  b.paragraphIn(x, y + 4, width, referenceTop - y - 8, 'body', 'small', INK, message);
  b.paragraph(x, referenceTop, width, 'small', MUTED, 'left', reference, 2);
  b.paragraph(x, referenceTop + referenceLines * small, width, 'small', MUTED, 'left', config.operatorContact, 2);
  b.button((SCREEN_WIDTH - 120) >> 1, okTop, 120, 40, t.ok, { type: 'dismiss' }, { fill: WHITE });
}
