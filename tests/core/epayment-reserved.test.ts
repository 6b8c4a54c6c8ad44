// Money still reserved = authorized - captured - cancelled: the state stays AUTHORIZED after capture
// and cancel, so only the aggregate says whether a payment still holds the customer's money.
import assert from 'node:assert/strict';
import { isReserved, reservedAmount } from 'epayment/reserved';
import type { PaymentState, PaymentStatus } from 'epayment/types';

function status(state: PaymentState, authorized: number, captured = 0, cancelled = 0, refunded = 0): PaymentStatus {
  const nok = (value: number) => ({ currency: 'NOK' as const, value });
  return {
    reference: 'reserved-test-0001',
    state,
    amount: nok(2500),
    aggregate: { authorizedAmount: nok(authorized), capturedAmount: nok(captured), cancelledAmount: nok(cancelled), refundedAmount: nok(refunded) },
    pspReference: 'psp-1',
  };
}

describe('epayment reserved amount', () => {
  it('an authorized payment nothing was done to holds the whole amount', () => {
    assert.equal(reservedAmount(status('AUTHORIZED', 2500)), 2500);
    assert.equal(isReserved(status('AUTHORIZED', 2500)), true);
  });

  it('captures and cancels take it down; AUTHORIZED alone never means reserved', () => {
    assert.equal(reservedAmount(status('AUTHORIZED', 2500, 1000)), 1500);
    assert.equal(isReserved(status('AUTHORIZED', 2500, 1000)), true, 'a partial capture leaves the rest reserved');
    assert.equal(reservedAmount(status('AUTHORIZED', 2500, 2500)), 0);
    assert.equal(isReserved(status('AUTHORIZED', 2500, 2500)), false, 'fully captured');
    assert.equal(reservedAmount(status('AUTHORIZED', 2500, 0, 2500)), 0);
    assert.equal(isReserved(status('AUTHORIZED', 2500, 0, 2500)), false, 'cancelled (by us, or by the service at the capture deadline)');
    assert.equal(reservedAmount(status('AUTHORIZED', 2500, 1000, 1500)), 0);
    assert.equal(isReserved(status('AUTHORIZED', 2500, 1000, 1500)), false, 'captured in part, the rest cancelled');
  });

  it('a refund does not add back to the reservation', () => {
    assert.equal(reservedAmount(status('AUTHORIZED', 2500, 2500, 0, 2500)), 0);
    assert.equal(isReserved(status('AUTHORIZED', 2500, 2500, 0, 2500)), false);
    assert.equal(reservedAmount(status('AUTHORIZED', 2500, 1000, 0, 1000)), 1500);
  });

  it('nothing is reserved in any other state, whatever the aggregate says', () => {
    // A cancel before authorization shows the whole amount as cancelled, nothing authorized.
    assert.equal(reservedAmount(status('TERMINATED', 0, 0, 2500)), 0);
    for (const state of ['CREATED', 'ABORTED', 'EXPIRED', 'TERMINATED'] as const) {
      assert.equal(isReserved(status(state, 0)), false, state);
      assert.equal(isReserved(status(state, 2500)), false, `${state} with an amount in authorizedAmount`);
    }
  });

  it('never goes below zero on an inconsistent aggregate', () => {
    assert.equal(reservedAmount(status('AUTHORIZED', 2500, 2500, 2500)), 0);
    assert.equal(isReserved(status('AUTHORIZED', 2500, 2500, 2500)), false);
  });
});
