import assert from 'node:assert/strict';
import { formatMoney } from 'app/format/money';

const NNBSP = '\u202f';
const NBSP = '\u00a0';

describe('formatMoney', () => {
  it('writes Norwegian kroner as 25,00 kr, whole kroner with their decimals', () => {
    assert.equal(formatMoney(2500, 'NOK'), `25,00${NBSP}kr`);
    assert.equal(formatMoney(2950, 'NOK'), `29,50${NBSP}kr`);
    assert.equal(formatMoney(5, 'NOK'), `0,05${NBSP}kr`);
    assert.equal(formatMoney(0, 'NOK'), `0,00${NBSP}kr`);
  });

  it('writes Danish kroner as 25,00 kr.', () => {
    assert.equal(formatMoney(2500, 'DKK'), `25,00${NBSP}kr.`);
    assert.equal(formatMoney(1, 'DKK'), `0,01${NBSP}kr.`);
  });

  it('writes euros as 2,50 € with the sign after the amount', () => {
    assert.equal(formatMoney(250, 'EUR'), `2,50${NBSP}€`);
    assert.equal(formatMoney(199, 'EUR'), `1,99${NBSP}€`);
  });

  it('groups thousands with a narrow no-break space', () => {
    assert.equal(formatMoney(149000, 'NOK'), `1${NNBSP}490,00${NBSP}kr`);
    assert.equal(formatMoney(99999, 'NOK'), `999,99${NBSP}kr`);
    assert.equal(formatMoney(123456789, 'DKK'), `1${NNBSP}234${NNBSP}567,89${NBSP}kr.`);
    assert.equal(formatMoney(65_000_000, 'EUR'), `650${NNBSP}000,00${NBSP}€`);
  });

  it('puts a minus before negative amounts (refunds)', () => {
    assert.equal(formatMoney(-2500, 'NOK'), `-25,00${NBSP}kr`);
    assert.equal(formatMoney(-149005, 'EUR'), `-1${NNBSP}490,05${NBSP}€`);
  });

  it('is the same whatever the language: it takes none', () => {
    assert.equal(formatMoney.length, 2);
  });

  it('refuses amounts that are not whole minor units', () => {
    assert.throws(() => formatMoney(25.5, 'NOK'), RangeError);
    assert.throws(() => formatMoney(Number.NaN, 'NOK'), RangeError);
    assert.throws(() => formatMoney(100, 'SEK' as never), /unknown currency SEK/);
  });
});
