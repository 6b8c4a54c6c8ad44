// Where things go on the 240x320 portrait screen (Moddable Two). One place, so the device, the
// desktop and the QR preview tool draw the same screen.
import type { Box } from 'qr/pixel-sink';

export const SCREEN_WIDTH = 240;
export const SCREEN_HEIGHT = 320;

/** The payment screen's QR: the full width below a 40-pixel title, above the countdown and cancel row. */
export const PAYMENT_QR_BOX: Box = Object.freeze({ x: 0, y: 40, width: 240, height: 240 });
