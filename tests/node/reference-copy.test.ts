// reference/ is the repo's copy of the OpenAPI contract; where the shared original sits beside
// the checkout (the project's workspace, CI), the copy must not have drifted from it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../support/xs';

const shared = join(projectRoot, '../shared/reference');
const local = join(projectRoot, 'reference');

describe('reference/ OpenAPI files', () => {
  it('holds the three API contracts', () => {
    assert.deepEqual(readdirSync(local).sort(), ['access-token-openapi.yaml', 'epayment-openapi.yaml', 'webhooks-openapi.yaml']);
  });

  it('matches ../shared/reference byte for byte where that exists', function () {
    if (!existsSync(shared)) {
      console.log(`      (no ${shared} beside this checkout: nothing to compare)`);
      return;
    }
    for (const name of readdirSync(shared)) {
      assert.ok(readFileSync(join(local, name)).equals(readFileSync(join(shared, name))), `${name} differs from ../shared/reference`);
    }
  });
});
