// Node's own test runner (`npm run test:cli`): the deploy button is plain Node, never workerd.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deployButtonMarkdown, publicRepositoryUrl } from '../../src/cli/deploy-button.mjs';

describe('deploy button', () => {
  it('reads the public URL from every remote form git prints', () => {
    assert.equal(publicRepositoryUrl('https://github.com/acme/polyrelay.git\n'), 'https://github.com/acme/polyrelay');
    assert.equal(publicRepositoryUrl('https://github.com/acme/polyrelay'), 'https://github.com/acme/polyrelay');
    assert.equal(publicRepositoryUrl('git@github.com:acme/polyrelay.git'), 'https://github.com/acme/polyrelay');
    assert.equal(publicRepositoryUrl('ssh://git@gitlab.com/acme/polyrelay.git'), 'https://gitlab.com/acme/polyrelay');
  });

  it('never puts credentials or local paths in a button', () => {
    assert.equal(publicRepositoryUrl('https://user:token@github.com/acme/polyrelay.git'), 'https://github.com/acme/polyrelay');
    assert.equal(publicRepositoryUrl('/work/main'), null);
    assert.equal(publicRepositoryUrl('file:///work/main'), null);
    assert.equal(publicRepositoryUrl('https://github.com/acme'), null);
  });

  it('links the deploy page with the repository URL encoded', () => {
    assert.equal(
      deployButtonMarkdown('https://github.com/acme/polyrelay'),
      '[![Deploy to Cloudflare](https://deploy.workers.cloudflare.com/button)](https://deploy.workers.cloudflare.com/?url=https%3A%2F%2Fgithub.com%2Facme%2Fpolyrelay)',
    );
  });
});
