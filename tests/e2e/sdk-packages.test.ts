/**
 * The SDK packages as users get them: `npm run pack:sdks` builds the npm tarball and the Python
 * wheel, each is installed into a fresh project outside the repository (npm install of the tarball,
 * pip install of the wheel into a new venv), and an error sent from there arrives at a real server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Issue } from '../../packages/server/src/api/contract/index.js';
import { repoRoot, startServer, type RunningServer } from '../helpers/server.js';

const run = promisify(execFile);
const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version as string;
const artifacts = join(repoRoot, 'dist/sdks');

describe('installable SDK packages', { timeout: 600_000 }, () => {
  let server: RunningServer;
  let workspace: string;

  before(async () => {
    await run('npm', ['run', 'pack:sdks', '--silent'], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    server = await startServer();
    workspace = mkdtempSync(join(tmpdir(), 'proliferate-sdk-install-'));
  });
  after(async () => {
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  async function waitForIssue(type: string): Promise<Issue> {
    for (let i = 0; i < 100; i++) {
      const { body } = await server.api<Issue[]>(`/api/0/projects/${server.projectId}/issues/?query=${encodeURIComponent(`error.type:${type}`)}`);
      const issue = body.find((candidate) => candidate.title.startsWith(type));
      if (issue) return issue;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no issue ${type} arrived`);
  }

  test('every version (server, SDKs, Python package) is the one of the root package.json', async () => {
    const { versionsFound } = (await import(join(repoRoot, 'scripts/pack-sdks.mjs'))) as { versionsFound(): Record<string, string> };
    for (const [where, found] of Object.entries(versionsFound())) assert.equal(found, version, where);
    assert.match(readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8'), new RegExp(`## ${version.replace(/\./g, '\\.')}`));
  });

  test('the npm tarball installs into a new project; ESM, CommonJS and the types work, and an error reaches the server', async () => {
    const project = join(workspace, 'node-app');
    await run('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'node-app', private: true, type: 'module' }));
    await run('npm', ['install', '--no-audit', '--no-fund', join(artifacts, `proliferate-sdk-${version}.tgz`)], { cwd: project });
    const installed = join(project, 'node_modules/@proliferate/sdk');
    for (const file of ['dist/node/index.js', 'dist/node/index.cjs', 'dist/browser/index.js', 'dist/browser/proliferate.min.js', 'dist/types/node/index.d.ts']) {
      assert.ok(existsSync(join(installed, file)), `${file} is in the package`);
    }

    writeFileSync(
      join(project, 'app.mjs'),
      `import * as Proliferate from '@proliferate/sdk';
Proliferate.init({ dsn: process.env.DSN });
Proliferate.setTag('installed_from', 'npm-tarball');
class PackagedNodeError extends Error { name = 'PackagedNodeError'; }
Proliferate.captureException(new PackagedNodeError('sent from an installed package'));
await Proliferate.flush(5000);
`,
    );
    await run(process.execPath, ['app.mjs'], { cwd: project, env: { ...process.env, DSN: server.dsn } });
    const issue = await waitForIssue('PackagedNodeError');
    const tags = await server.api<Array<{ key: string; topValues: Array<{ value: string }> }>>(`/api/0/issues/${issue.id}/tags/`);
    assert.deepEqual(tags.body.find((t) => t.key === 'installed_from')?.topValues.map((v) => v.value), ['npm-tarball']);

    const cjs = await run(process.execPath, ['-e', "const p = require('@proliferate/sdk'); console.log(typeof p.init, typeof p.captureException)"], { cwd: project });
    assert.equal(cjs.stdout.trim(), 'function function');

    writeFileSync(join(project, 'check.ts'), "import { init, setTag } from '@proliferate/sdk';\ninit({ dsn: 'http://k@localhost:1/1' });\nsetTag('a', 'b');\n// @ts-expect-error setTag takes a key and a value\nsetTag();\n");
    const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', '--typeRoots', join(repoRoot, 'node_modules/@types'), 'check.ts'], { cwd: project });
  });

  test('the Python wheel installs into a new virtual environment, ships py.typed, and an error reaches the server', async () => {
    const venv = join(workspace, 'venv');
    await run('python3', ['-m', 'venv', venv]);
    await run(join(venv, 'bin/pip'), ['install', '-q', '--disable-pip-version-check', '--no-index', join(artifacts, `proliferate-${version}-py3-none-any.whl`)]);
    const script = `
import os, proliferate
proliferate.init(dsn=os.environ["DSN"])
proliferate.set_tag("installed_from", "wheel")
class PackagedPythonError(Exception):
    pass
try:
    raise PackagedPythonError("sent from an installed wheel")
except PackagedPythonError:
    proliferate.capture_exception()
proliferate.flush(5)
print(proliferate.__file__)
print(os.path.exists(os.path.join(os.path.dirname(proliferate.__file__), "py.typed")))
`;
    const { stdout } = await run(join(venv, 'bin/python'), ['-c', script], { cwd: workspace, env: { ...process.env, DSN: server.dsn } });
    const [location, typed] = stdout.trim().split('\n');
    assert.ok(location!.startsWith(venv), `imported from the venv, not the checkout: ${location}`);
    assert.equal(typed, 'True');
    const issue = await waitForIssue('PackagedPythonError');
    assert.equal(issue.count, 1);
    const { stdout: metadata } = await run(join(venv, 'bin/pip'), ['show', 'proliferate']);
    assert.match(metadata, new RegExp(`Version: ${version.replace(/\./g, '\\.')}`));
  });
});
