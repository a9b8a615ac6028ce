/**
 * Starts the real server (the built CLI) on a free port with a fresh data directory, for tests.
 * The server prints one JSON line on start when given --json; this reads it and returns handles.
 * Stop it with stop(): the server is ended by its own process id, never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after } from 'node:test';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export const repoRoot = new URL('../..', import.meta.url).pathname;
export const cliPath = join(repoRoot, 'packages/server/dist/cli/main.js');

export interface StartupInfo {
  url: string;
  port: number;
  projectId: string;
  publicKey: string;
  dsn: string;
  /** Only printed on the first start of a data directory. */
  adminToken?: string;
  /** Printed while no user exists: the one-time link that creates the owner. */
  setupUrl?: string;
}

export interface RunningServer extends StartupInfo {
  dataDir: string;
  /** Environment a CLI command needs to reach this server's store (PROLIFERATE_DATABASE_URL on PostgreSQL). */
  storeEnv: Record<string, string>;
  process: ChildProcess;
  /** Authenticated JSON request to the query API. */
  api<T = any>(path: string, init?: { method?: string; body?: unknown; token?: string }): Promise<{ status: number; body: T }>;
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** Everything the server printed so far (standard output and error). */
  output(): string;
  /**
   * Sends a signal to the server by its process id (SIGKILL unless told otherwise) and waits until
   * it has exited. The data directory is kept, so a crash can be followed by a restart on it.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  env?: Record<string, string>;
  args?: string[];
  adminToken?: string;
  /** Extra Node.js flags for the server process (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

/**
 * PROLIFERATE_TEST_STORE=postgres runs every server started here on PostgreSQL: one fresh database
 * per data directory (a restart on the same directory finds its data again), dropped when the
 * directory is.
 */
const postgresByDataDir = new Map<string, TestDatabase>();
// Tests that restart a server on a kept data directory remove the directory themselves: the
// databases still held are dropped when the test file ends.
if (process.env.PROLIFERATE_TEST_STORE === 'postgres') {
  after(async () => {
    for (const dir of [...postgresByDataDir.keys()]) await dropDatabaseFor(dir);
  });
}

async function databaseFor(dataDir: string): Promise<Record<string, string>> {
  if (process.env.PROLIFERATE_TEST_STORE !== 'postgres') return {};
  let db = postgresByDataDir.get(dataDir);
  if (!db) postgresByDataDir.set(dataDir, (db = await createTestDatabase('e2e')));
  return { PROLIFERATE_DATABASE_URL: db.url };
}

async function dropDatabaseFor(dataDir: string): Promise<void> {
  const db = postgresByDataDir.get(dataDir);
  postgresByDataDir.delete(dataDir);
  await db?.drop();
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'proliferate-test-'));
  const storeEnv = await databaseFor(dataDir);
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), cliPath, 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--json', ...(options.args ?? [])],
    { env: { ...process.env, ...storeEnv, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  let output = '';
  child.stderr!.on('data', (chunk) => ((stderr += chunk), (output += chunk)));
  child.stdout!.on('data', (chunk) => (output += chunk));
  const info = await new Promise<StartupInfo>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    // 60 s: on the shared 2-core CI machine at load 20+, a start (Node, migrations) took over 20 s.
    // A start that timed out is ended by its id: a server that came up later would keep the test
    // file's process alive after its tests failed (seen: a run hung for 10 minutes).
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in 60 s: ${stderr}`));
    }, 60_000);
    // With a verbose PROLIFERATE_LOG_LEVEL, log lines (JSON too) may come before the start-up line.
    const onLine = (line: string) => {
      let parsed: Partial<StartupInfo> & { level?: unknown };
      try {
        parsed = JSON.parse(line);
      } catch {
        clearTimeout(timer);
        reject(new Error(`unexpected first line from server: ${line}\n${stderr}`));
        return;
      }
      if (parsed.level !== undefined && parsed.dsn === undefined) return;
      lines.off('line', onLine);
      clearTimeout(timer);
      resolve(parsed as StartupInfo);
    };
    lines.on('line', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  const adminToken = options.adminToken ?? info.adminToken;
  return {
    ...info,
    adminToken,
    dataDir,
    storeEnv,
    process: child,
    output: () => output,
    async api(path, init = {}) {
      const response = await fetch(info.url + path, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: {
          authorization: `Bearer ${init.token ?? adminToken}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid!, signal);
      await exited;
    },
    async stop({ keepData = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(child.pid!, 'SIGTERM');
        await exited;
      }
      if (!keepData && !options.dataDir) {
        rmSync(dataDir, { recursive: true, force: true });
        await dropDatabaseFor(dataDir);
      }
    },
  };
}
