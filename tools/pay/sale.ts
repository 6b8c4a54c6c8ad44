// One whole sale, as the machine runs it but with a person at the terminal: token, create, QR,
// polling, "delivered?", then capture, or cancel on no, on Ctrl-C or when nobody answers.
import type { EpaymentClient } from 'epayment/client';
import { EpaymentError, isApiError } from 'epayment/errors';
import { pollUntilFinal } from 'epayment/poll';
import type { PaymentStatus } from 'epayment/types';
import { encode } from 'qr/encode';
import type { QrMatrix } from 'qr/matrix';
import type { Clock } from 'ports/clock';
import type { PayOptions } from './options';

export type SaleOutcome = 'captured' | 'failed' | 'not-delivered' | 'aborted' | 'expired' | 'terminated' | 'interrupted';

export const EXIT_CODES: Record<SaleOutcome, number> = {
  captured: 0,
  failed: 1,
  'not-delivered': 3,
  aborted: 4,
  expired: 5,
  terminated: 6,
  interrupted: 130,
};

export interface SaleIO {
  /** A line that stays. */
  print(line: string): void;
  /** The live status line (rewritten in place on a terminal). */
  status(line: string): void;
  showQr(redirectUrl: string, matrix: QrMatrix): void;
  /** Resolves true for yes, false for no or end of input. */
  askDelivered(): Promise<boolean>;
}

export interface SaleDeps {
  client: EpaymentClient;
  clock: Clock;
  io: SaleIO;
  /** Resolves on Ctrl-C. */
  interrupted: Promise<void>;
}

export interface SaleResult {
  outcome: SaleOutcome;
  reference: string;
  redirectUrl?: string;
  /** From sending create to a drawable QR matrix. */
  createToQrMs?: number;
  final?: PaymentStatus;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function money(value: number, currency: string): string {
  return `${(value / 100).toFixed(2)} ${currency}`;
}

type Race<T> = { kind: 'value'; value: T } | { kind: 'interrupted' } | { kind: 'timeout' };

export async function runSale(options: PayOptions, deps: SaleDeps): Promise<SaleResult> {
  const { client, clock, io } = deps;
  const { reference } = options;
  const amount = { currency: options.currency, value: options.amount };
  let interrupted = false;
  const interruption = deps.interrupted.then((): Race<never> => {
    interrupted = true;
    return { kind: 'interrupted' };
  });
  const race = <T>(promise: Promise<T>, timeoutMs?: number): Promise<Race<T>> => {
    const racers: Promise<Race<T>>[] = [promise.then((value) => ({ kind: 'value', value })), interruption];
    if (timeoutMs !== undefined) racers.push(new Promise((resolve) => clock.setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs)));
    return Promise.race(racers);
  };

  /** Nothing was delivered: release the money whatever the payment's state. */
  const cancel = async (outcome: SaleOutcome): Promise<SaleResult> => {
    try {
      const status = await client.cancel(reference);
      io.print(`cancelled: state ${status.state}, cancelled ${money(status.aggregate.cancelledAmount.value, amount.currency)}, captured ${money(status.aggregate.capturedAmount.value, amount.currency)}`);
      return { outcome, reference, final: status };
    } catch (error) {
      io.print(`cancel failed: ${describe(error)}; nothing was captured: an unpaid payment expires by itself, an authorized one stays reserved until cancelled again with the same reference`);
      return { outcome: 'failed', reference };
    }
  };

  io.print(`base URL ${client.baseUrl}, reference ${reference}, ${money(amount.value, amount.currency)}`);
  try {
    await client.warmUp();
    io.print(`access token: ok, fresh for ${Math.round(client.tokenFreshForMs() / 60_000)} min`);
  } catch (error) {
    io.print(`access token: ${describe(error)}`);
    return { outcome: 'failed', reference };
  }

  const started = clock.now();
  let redirectUrl: string;
  let matrix: QrMatrix;
  try {
    const created = await client.createPayment({
      reference,
      amount,
      description: options.description,
      receipt: { orderLines: [{ id: 'item-1', name: options.description, totalAmount: amount.value, taxRate: options.taxRate, quantity: 1 }], posId: options.posId },
      ...(options.minimumUserAge === undefined ? {} : { minimumUserAge: options.minimumUserAge }),
    });
    redirectUrl = created.redirectUrl;
    matrix = encode(redirectUrl);
  } catch (error) {
    io.print(`create payment: ${describe(error)}`);
    // The create may have reached the service before the failure: make sure it is not left open.
    if (!(error instanceof EpaymentError && (error.kind === 'invalid-request' || isApiError(error, 400)))) await cancel('failed');
    return { outcome: 'failed', reference };
  }
  const createToQrMs = clock.now() - started;
  io.showQr(redirectUrl, matrix);
  io.print(`QR ready ${createToQrMs} ms after create; scan it (or approve in the emulator)`);

  const shownAt = clock.now();
  const poll = pollUntilFinal(client, reference, {
    clock,
    firstDelayMs: options.pollFirstMs,
    intervalMs: options.pollIntervalMs,
    onState: (s) => io.status(`state ${s.state}, ${Math.round((clock.now() - shownAt) / 1000)} s, ${poll.reads} reads`),
    onError: (e) => io.status(`status read failed (${describe(e)}); still polling`),
  });
  const polled = await race(poll.result.catch((error: unknown) => ({ error })));
  if (polled.kind !== 'value') {
    poll.cancel();
    io.print('interrupted: cancelling');
    return { ...(await cancel('interrupted')), redirectUrl, createToQrMs };
  }
  if ('error' in polled.value) {
    io.print(`polling stopped: ${describe(polled.value.error)}`);
    return { ...(await cancel('failed')), outcome: 'failed', redirectUrl, createToQrMs };
  }
  const status = polled.value;
  const base = { reference, redirectUrl, createToQrMs, final: status };
  switch (status.state) {
    case 'ABORTED':
      io.print('the customer aborted the payment');
      return { ...base, outcome: 'aborted' };
    case 'EXPIRED':
      io.print('the payment expired: nobody approved it in time');
      return { ...base, outcome: 'expired' };
    case 'TERMINATED':
      io.print('the payment was cancelled before it was authorized');
      return { ...base, outcome: 'terminated' };
    default:
      break;
  }

  io.print(`authorized ${money(status.aggregate.authorizedAmount.value, amount.currency)}`);
  let delivered = options.yes;
  if (!delivered) {
    const answer = await race(deps.io.askDelivered(), options.answerTimeoutMs);
    if (answer.kind === 'interrupted') {
      io.print('interrupted: cancelling');
      return { ...(await cancel('interrupted')), redirectUrl, createToQrMs };
    }
    if (answer.kind === 'timeout') io.print('no answer in time');
    delivered = answer.kind === 'value' && answer.value;
  } else {
    io.print('delivered? yes (--yes)');
  }
  if (!delivered || interrupted) {
    return { ...(await cancel(interrupted ? 'interrupted' : 'not-delivered')), redirectUrl, createToQrMs };
  }

  try {
    const captured = await client.capture(reference, amount);
    const got = captured.aggregate.capturedAmount.value;
    io.print(`captured ${money(got, amount.currency)}`);
    if (got < amount.value) return { ...base, outcome: 'failed', final: captured };
    return { ...base, outcome: 'captured', final: captured };
  } catch (error) {
    io.print(`capture failed: ${describe(error)}; the amount stays reserved. Retry the capture with the same reference (same idempotency key)`);
    return { ...base, outcome: 'failed' };
  }
}
