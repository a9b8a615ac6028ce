import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repositoryPath, sourceLink } from '../src/repo-links.js';

const github = { url: 'https://github.com/acme/shop', defaultBranch: 'main' };

test('a frame links to the file and line at the release when the release is a commit SHA', () => {
  assert.equal(sourceLink(github, '4f2a9c1e0b', 'src/checkout.ts', 42), 'https://github.com/acme/shop/blob/4f2a9c1e0b/src/checkout.ts#L42');
});

test('a release that is not a SHA (a version) links to the default branch', () => {
  assert.equal(sourceLink(github, 'shop@1.4.2', './src/checkout.ts', 7), 'https://github.com/acme/shop/blob/main/src/checkout.ts#L7');
  assert.equal(sourceLink(github, null, 'src/a.ts', null), 'https://github.com/acme/shop/blob/main/src/a.ts');
});

test('GitLab and Bitbucket use their own URL shapes', () => {
  assert.equal(sourceLink({ url: 'https://gitlab.com/acme/web/shop', defaultBranch: 'trunk' }, null, 'app/x.py', 3), 'https://gitlab.com/acme/web/shop/-/blob/trunk/app/x.py#L3');
  assert.equal(sourceLink({ url: 'https://bitbucket.org/acme/shop', defaultBranch: 'main' }, 'abcdef1', 'x.js', 9), 'https://bitbucket.org/acme/shop/src/abcdef1/x.js#lines-9');
});

test('bundler prefixes and origins are removed; paths that climb out or are empty give no link', () => {
  assert.equal(repositoryPath('webpack://shop/./src/a.ts'), 'src/a.ts');
  assert.equal(repositoryPath('app:///src/a.ts'), 'src/a.ts');
  assert.equal(repositoryPath('https://cdn.example.com/static/app.js?v=3'), 'static/app.js');
  assert.equal(repositoryPath('../../etc/passwd'), null);
  assert.equal(sourceLink(github, null, '', 1), null);
  assert.equal(sourceLink(null, null, 'src/a.ts', 1), null);
});

test('characters of a file name are encoded, never spliced raw into the URL', () => {
  assert.equal(sourceLink(github, null, 'src/a b.ts', 1), 'https://github.com/acme/shop/blob/main/src/a%20b.ts#L1');
  assert.equal(sourceLink(github, null, 'src/"><script>.ts', 1), 'https://github.com/acme/shop/blob/main/src/%22%3E%3Cscript%3E.ts#L1');
});
