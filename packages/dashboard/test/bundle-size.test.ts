import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

const assets = new URL('../dist/assets/', import.meta.url).pathname;

test('the dashboard ships at most 150 KB of JavaScript, gzipped', (t) => {
  const files = readdirSync(assets).filter((f) => f.endsWith('.js'));
  assert.ok(files.length > 0, 'build the dashboard first (npm run build)');
  let total = 0;
  for (const file of files) {
    const size = gzipSync(readFileSync(join(assets, file)), { level: 9 }).length;
    total += size;
    t.diagnostic(`${file}: ${(size / 1024).toFixed(1)} KB gzipped`);
  }
  t.diagnostic(`total: ${(total / 1024).toFixed(1)} KB gzipped`);
  assert.ok(total <= 150 * 1024, `${total} bytes`);
});
