// The screens' colours, RGB565. The wallet's colour marks the header, so the customer sees at once
// which app to use.
import { rgb565 } from 'qr/pixel-sink';
import type { Brand } from 'app/config/machine-config';

export const WHITE = 0xffff;
export const INK = rgb565(0x1f, 0x1f, 0x24);
export const MUTED = rgb565(0x6b, 0x6b, 0x73);
export const GREYED = rgb565(0xa8, 0xa8, 0xad);
export const DIVIDER = rgb565(0xe0, 0xe0, 0xe4);
export const BUTTON = rgb565(0xec, 0xec, 0xf0);
export const SUCCESS = rgb565(0x1b, 0x7f, 0x3b);
export const WARNING = rgb565(0xa6, 0x5a, 0x00);
export const DANGER = rgb565(0xc6, 0x28, 0x28);
export const NOTICE = rgb565(0xff, 0xf4, 0xd6);
export const TEST_MARK = rgb565(0xff, 0xd4, 0x00);
export const SERVICE = rgb565(0x3a, 0x3f, 0x4b);

const VIPPS_ORANGE = rgb565(0xff, 0x5b, 0x24);
const MOBILEPAY_BLUE = rgb565(0x5a, 0x78, 0xff);

/** The header's colour: the wallet the customer pays with. */
export function brandColor(brand: Brand): number {
  return brand === 'MobilePay' ? MOBILEPAY_BLUE : VIPPS_ORANGE;
}
