// The keys every language's table has. TypeScript holds each table to this shape and a test holds
// them at run time, so a screen never lacks a text. "{brand}" is replaced by the wallet's name.
export interface Texts {
  chooseProduct: string;
  soldOut: string;
  previous: string;
  next: string;
  noticeTitle: string;
  noticeCompleted: string;
  noticeCancelled: string;
  noticePending: string;
  creating: string;
  creatingBody: string;
  scanWith: string;
  timeLeft: string;
  cancel: string;
  cancelling: string;
  finishInApp: string;
  finishInAppBody: string;
  releasing: string;
  releasingBody: string;
  thankYou: string;
  thankYouBody: string;
  reversing: string;
  reversingBody: string;
  notCharged: string;
  notChargedBody: string;
  cancelled: string;
  cancelledBody: string;
  expired: string;
  expiredBody: string;
  aborted: string;
  abortedBody: string;
  error: string;
  errorNotCharged: string;
  errorChecking: string;
  outOfService: string;
  outOfServiceBody: string;
  /** The body instead when the touch panel is gone (E11): the customer cannot tap anything. */
  outOfServiceTouch: string;
  code: string;
  reference: string;
  ok: string;
  back: string;
  service: string;
  enterPin: string;
  wrongPin: string;
  lockedFor: string;
  clear: string;
  menuOutputs: string;
  menuRestock: string;
  menuStatus: string;
  menuLog: string;
  menuRefund: string;
  menuPin: string;
  menuExit: string;
  fire: string;
  lastFired: string;
  onSale: string;
  /** The restock toggle's label for a sold-out product: at most 90 px in the small font. */
  soldOutShort: string;
  /** Service mode's restock: the product is out of sale because its drop sensor reads active; pressing it clears the fault. */
  sensorFault: string;
  network: string;
  clock: string;
  /** Service status: the NTP server that set the clock. */
  timeServer: string;
  token: string;
  api: string;
  server: string;
  queue: string;
  statusOk: string;
  statusMissing: string;
  overdue: string;
  /** A capture pending over 24 h, or near its guarantee. */
  late: string;
  opCapture: string;
  opCancel: string;
  opRefund: string;
  outcomeCaptured: string;
  outcomeCapturePending: string;
  outcomeCaptureOverdue: string;
  outcomeCaptureExpired: string;
  outcomeCancelled: string;
  outcomeCancelPending: string;
  outcomeAborted: string;
  outcomeExpired: string;
  outcomeTerminated: string;
  outcomeFailed: string;
  outcomeRefunded: string;
  outcomeTestFire: string;
  noSales: string;
  refundPick: string;
  refundDone: string;
  refundFailed: string;
  nothingToRefund: string;
  newPin: string;
  repeatPin: string;
  pinChanged: string;
  pinMismatch: string;
  pinTooShort: string;
}

export type TextKey = keyof Texts;
