// Where things go on the 240x320 portrait screen (Moddable Two), and how many rows a page holds.
// One place, so the device, the desktop, the QR preview tool and the sale controller (which pages
// the product list) agree.
import type { Box } from 'qr/pixel-sink';

export const SCREEN_WIDTH = 240;
export const SCREEN_HEIGHT = 320;

/**
 * The payment screen's QR: 196 pixels square, below the product and price, above "Scan with ..."
 * and the countdown and Cancel row. 196 is what a version-6 QR (41 modules, e.g. the service's
 * 86-character payment URL) needs with its 4-module quiet zone at 4 pixels a module: the largest
 * version that fits at scale 4 is 6, at scale 2 it is 18.
 */
export const PAYMENT_QR_BOX: Box = Object.freeze({ x: 22, y: 49, width: 196, height: 196 });

/** The whole screen: a new screen is cleared and drawn in one box. */
export const FULL_SCREEN: Box = Object.freeze({ x: 0, y: 0, width: SCREEN_WIDTH, height: SCREEN_HEIGHT });

/** Rows per page: the controller pages the product list, restock, sales log and refund lists by these. */
export const IDLE_PRODUCTS_PER_PAGE = 4;
export const RESTOCK_PRODUCTS_PER_PAGE = 3;
export const LOG_ENTRIES_PER_PAGE = 4;
export const REFUND_ENTRIES_PER_PAGE = 4;
/** Outputs are not paged: the outputs screen lists this many products. */
export const OUTPUT_ROWS = 5;

/** How long a press on the idle or out-of-service screen's top-left corner must last to enter service mode. */
export const SERVICE_HOLD_MS = 3000;
/** Touch targets are at least this wide and tall. */
export const MIN_TARGET = 40;
