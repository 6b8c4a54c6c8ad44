// The PIN pad for entering service mode and for changing the PIN. Digits show as dots, never as
// digits; after three wrong tries the pad is locked with a countdown.
import { formatCountdown, secondsLeft } from 'app/format/time';
import { HEADER_HEIGHT, ListBuilder } from 'app/screens/builder';
import type { DisplayList } from 'app/screens/display-list';
import { DANGER, DIVIDER, INK, MUTED, SERVICE, SUCCESS } from 'app/screens/palette';
import { SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';

const DOT = 14;
const DOT_GAP = 10;
const MAX_DOTS = 8;
const KEY_WIDTH = 72;
const KEY_HEIGHT = 46;
const KEY_GAP = 4;
const KEY_COLUMNS = [8, 84, 160];
const KEYPAD_TOP = SCREEN_HEIGHT - 4 * KEY_HEIGHT - 3 * KEY_GAP - 4;

interface PinPad {
  screen: string;
  title: string;
  prompt: string;
  digits: number;
  message?: string;
  messageColor?: number;
  /** mm:ss left of the lock: the pad is locked while this is set. */
  lockedFor?: string;
  locked: boolean;
}

function pinPad(b: ListBuilder, pad: PinPad): DisplayList {
  const t = b.texts;
  const { fonts } = b.context;
  b.header(pad.title, SERVICE, true);
  const small = fonts.lineHeight('small');
  let y = HEADER_HEIGHT + 4;
  b.text(12, y, SCREEN_WIDTH - 24, 'small', MUTED, 'center', pad.prompt);
  y += small + 4;

  // One square per digit entered, and empty ones up to four so the pad shows what it expects.
  const shown = Math.min(MAX_DOTS, Math.max(4, pad.digits));
  const rowWidth = shown * DOT + (shown - 1) * DOT_GAP;
  for (let i = 0, x = (SCREEN_WIDTH - rowWidth) >> 1; i < shown; i++, x += DOT + DOT_GAP) {
    b.rect(x, y, DOT, DOT, i < pad.digits ? INK : DIVIDER);
  }
  y += DOT + 4;
  if (pad.lockedFor) b.countdownText(12, y, SCREEN_WIDTH - 24, 'small', DANGER, 'center', `${b.texts.lockedFor} `, pad.lockedFor);
  else if (pad.message) b.text(12, y, SCREEN_WIDTH - 24, 'small', pad.messageColor ?? DANGER, 'center', pad.message);

  const labels = ['1', '2', '3', '4', '5', '6', '7', '8', '9', t.clear, '0', t.ok];
  for (let key = 0; key < 12; key++) {
    const x = KEY_COLUMNS[key % 3];
    const keyY = KEYPAD_TOP + Math.floor(key / 3) * (KEY_HEIGHT + KEY_GAP);
    const action = key === 9 ? { type: 'pin-clear' as const } : key === 11 ? { type: 'pin-enter' as const } : { type: 'pin-digit' as const, digit: key === 10 ? 0 : key + 1 };
    b.button(x, keyY, KEY_WIDTH, KEY_HEIGHT, labels[key], action, { font: key === 9 ? 'small' : 'medium', disabled: pad.locked });
  }
  return b.finish(pad.screen);
}

export function servicePinScreen(b: ListBuilder, digits: number, wrong: boolean, lockedUntil: number | undefined, now: number): DisplayList {
  const t = b.texts;
  const locked = lockedUntil !== undefined && now < lockedUntil;
  return pinPad(b, {
    screen: 'service-pin',
    title: t.service,
    prompt: t.enterPin,
    digits: locked ? 0 : digits,
    message: wrong ? t.wrongPin : undefined,
    lockedFor: locked ? formatCountdown(secondsLeft(lockedUntil!, now)) : undefined,
    locked,
  });
}

export function pinChangeScreen(b: ListBuilder, step: 'new' | 'confirm', digits: number, result: 'changed' | 'mismatch' | 'too-short' | undefined): DisplayList {
  const t = b.texts;
  return pinPad(b, {
    screen: 'service-pin-change',
    title: t.menuPin,
    prompt: step === 'new' ? t.newPin : t.repeatPin,
    digits,
    message: result === 'changed' ? t.pinChanged : result === 'mismatch' ? t.pinMismatch : result === 'too-short' ? t.pinTooShort : undefined,
    messageColor: result === 'changed' ? SUCCESS : DANGER,
    locked: false,
  });
}
