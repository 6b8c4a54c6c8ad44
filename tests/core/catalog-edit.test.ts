// Remote catalog edits: only names, prices, stock and sold out change; the whole configuration is
// checked again; the machine applies an edit only between sales.
import assert from 'node:assert/strict';
import { applyCatalogEdit, catalogOf, standInConfig } from 'app/config/catalog-edit';
import { validateMachineConfig } from 'app/config/validate';
import { rig, runUntil, testMachineConfig, until } from './sale-fixtures';

const config = () => validateMachineConfig(testMachineConfig());

describe('catalog edits from the fleet', () => {
  it('changes names, prices, stock and sold out, and nothing else', () => {
    const edit = catalogOf(config()).map((entry) => ({ ...entry, price: entry.price + 100, names: { ...entry.names, en: `New ${entry.id}` } }));
    edit[0].stock = 9;
    edit[1].soldOut = true;
    const next = applyCatalogEdit(config(), edit);
    assert.deepEqual(next.catalog.map((product) => [product.id, product.price, product.names.en, product.stock, product.soldOut]), [['water', 2600, 'New water', 9, false], ['cola', 4300, 'New cola', undefined, true]]);
    assert.deepEqual(next.catalog.map((product) => product.output), config().catalog.map((product) => product.output), 'pins as provisioned');
  });

  it('refuses pins, unknown or missing products, counting changes and invalid values, naming the problem', () => {
    const base = () => catalogOf(config()) as unknown as Record<string, unknown>[];
    const cases: [string, unknown, RegExp][] = [
      ['a pin', base().map((entry, i) => (i === 0 ? { ...entry, output: { pin: 5, pulseMs: 300 } } : entry)), /products\[0\]\.output: cannot be changed remotely/],
      ['a new product', [...base(), { id: 'tea', names: { nb: 'Te' }, price: 2000, soldOut: false }], /"tea" is not a product of this machine/],
      ['a missing product', base().slice(1), /water is missing/],
      ['twice', [...base(), base()[0]], /listed twice/],
      ['counting stopped', base().map((entry, i) => (i === 0 ? { ...entry, stock: undefined } : entry)), /water is counted on this machine/],
      ['counting started', base().map((entry, i) => (i === 1 ? { ...entry, stock: 4 } : entry)), /cola is not counted on this machine/],
      ['a price below the minimum', base().map((entry, i) => (i === 0 ? { ...entry, price: 50 } : entry)), /catalog\[0\]\.price: 50 is below the NOK minimum of 100/],
      ['no name in the default language', base().map((entry, i) => (i === 0 ? { ...entry, names: { en: 'Water' } } : entry)), /catalog\[0\]\.names\.nb: the default language needs a name/],
      ['not a list', { water: 1 }, /products: must be a list/],
    ];
    for (const [name, edit, problem] of cases) assert.throws(() => applyCatalogEdit(config(), edit), problem, name);
  });

  it('the server\'s stand-in checks an edit as the machine does', () => {
    const current = config();
    const standIn = standInConfig({ posId: current.posId, languages: current.languages, currency: current.currency, products: catalogOf(current) });
    const good = catalogOf(current).map((entry) => ({ ...entry, price: 3000 }));
    assert.deepEqual(applyCatalogEdit(standIn, good).catalog.map((p) => p.price), applyCatalogEdit(current, good).catalog.map((p) => p.price));
    const bad = catalogOf(current).map((entry) => ({ ...entry, price: 99 }));
    assert.throws(() => applyCatalogEdit(standIn, bad), /below the NOK minimum/);
    assert.throws(() => applyCatalogEdit(current, bad), /below the NOK minimum/);
  });

  it('the machine applies an edit between sales only, shows the new price and takes the stock', async () => {
    const r = rig();
    await until(r, 'idle');
    const edit = catalogOf(r.machine.config!).map((entry) => ({ ...entry, price: entry.id === 'cola' ? 5000 : entry.price, ...(entry.id === 'water' ? { stock: 7 } : {}) }));
    r.machine.act({ type: 'select', product: 'cola' });
    await runUntil(r, () => r.machine.journal.openSale !== undefined);
    assert.deepEqual(r.machine.applyCatalog(edit), { result: 'busy' });
    r.machine.act({ type: 'cancel' });
    await runUntil(r, () => r.machine.journal.openSale === undefined && r.machine.view.sale.screen === 'idle');
    const answer = r.machine.applyCatalog(edit);
    assert.equal(answer.result, 'applied');
    assert.equal(r.machine.view.products.find((p) => p.id === 'cola')?.price, 5000);
    assert.equal(r.machine.journal.stockOf('water'), 7);
    const refused = r.machine.applyCatalog(edit.map((entry) => ({ ...entry, price: 1 })));
    assert.equal(refused.result, 'refused');
    assert.equal(r.machine.view.products.find((p) => p.id === 'cola')?.price, 5000, 'a refused edit changes nothing');
    r.machine.act({ type: 'select', product: 'cola' });
    await runUntil(r, () => r.machine.journal.openSale !== undefined);
    assert.equal(r.machine.journal.openSale?.amount, 5000, 'the next sale charges the new price');
  });
});
