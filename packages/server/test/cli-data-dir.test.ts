import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliPath, startServer, type RunningServer } from '../../../tests/helpers/server.js';

const execFileAsync = promisify(execFile);
let workspace: string;
let server: RunningServer;

/** Runs the CLI in `cwd` without PROLIFERATE_DATA_DIR, the way a person types it. */
function cli(cwd: string, args: string[], env: Record<string, string> = {}) {
  const { PROLIFERATE_DATA_DIR: _ignored, ...inherited } = process.env;
  return execFileAsync(process.execPath, [cliPath, ...args], { cwd, env: { ...inherited, ...env } });
}

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'proliferate-cli-dir-'));
  mkdirSync(join(workspace, 'app/src/deep'), { recursive: true });
  mkdirSync(join(workspace, 'elsewhere'));
  server = await startServer({ dataDir: join(workspace, 'app/.proliferate') });
});
after(async () => {
  await server.stop();
  rmSync(workspace, { recursive: true, force: true });
});

test('a CLI command run in a subfolder of where the server keeps .proliferate uses that store, and its token works on the running server', async () => {
  const { stdout } = await cli(join(workspace, 'app/src/deep'), ['token', 'create', '--name', 'from-subfolder']);
  const res = await server.api('/api/0/projects/', { token: stdout.trim() });
  assert.equal(res.status, 200);
  assert.equal(res.body[0].slug, 'default');
});

test('a CLI command in a folder with no store above it refuses, names the folder it looked at, and creates nothing', async () => {
  const cwd = join(workspace, 'elsewhere');
  await assert.rejects(cli(cwd, ['project', 'list']), (error: { code: number; stderr: string; stdout: string }) => {
    assert.equal(error.code, 1);
    assert.equal(error.stdout, '');
    assert.match(error.stderr, new RegExp(`no Proliferate store in ${join(cwd, '.proliferate')}`));
    assert.match(error.stderr, /--data-dir/);
    return true;
  });
  assert.equal(existsSync(join(cwd, '.proliferate')), false);
});

test('PROLIFERATE_DATA_DIR naming an empty folder is refused with the variable named, not initialised', async () => {
  const empty = join(workspace, 'empty-store');
  await assert.rejects(cli(workspace, ['token', 'create'], { PROLIFERATE_DATA_DIR: empty }), (error: { code: number; stderr: string }) => {
    assert.equal(error.code, 1);
    assert.match(error.stderr, new RegExp(`no Proliferate store in ${empty} \\(from PROLIFERATE_DATA_DIR\\)`));
    return true;
  });
  assert.equal(existsSync(empty), false);
});
