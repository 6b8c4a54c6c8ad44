// Boot-time recovery: what the journal says was open becomes one queued operation, decided by the
// phase alone, so the machine is selling again within seconds while the queue settles it with the
// service (which may still answer 423 for a while if the old customer is in the app).
//   create, cancel  -> cancel: nothing was released; whatever the payment did, give it back
//   release         -> cancel: the release began but was never confirmed; the customer wins
//   capture         -> capture: the release was confirmed
import type { OpenSale, QueueItem } from 'app/sale/journal';
import type { RecoveryNotice } from 'app/sale/view';

export function recoverOpenSale(open: OpenSale, noticeUntil: number): { item: QueueItem; notice: RecoveryNotice } {
  const operation = open.phase === 'capture' ? 'capture' : 'cancel';
  const item: QueueItem = { operation, reference: open.reference, amount: open.amount, currency: open.currency, product: open.product, time: open.time, overdue: false };
  return { item, notice: { reference: open.reference, outcome: 'pending', until: noticeUntil } };
}
