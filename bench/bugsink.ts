/**
 * Bugsink (https://www.bugsink.com), run for the peers section as its single-server guide runs it:
 * the PyPI package in a virtual environment under bench/.data/peers/, a `singleserver` config from
 * `bugsink-create-conf`, SQLite, gunicorn with the worker count of its Docker config
 * (min(cores, 4)), and the Snappea foreman that digests events in the background. Only what a run
 * on 127.0.0.1 without a TLS proxy needs is overridden, plus the quotas and the retention, raised
 * so that they do not limit the run (the section says so in its output).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { dirBytes } from './processes.js';

export const BUGSINK_VERSION = '2.6.2';
/** The project's key (a UUID, as Bugsink stores it), also in every envelope header's dsn. */
export const BUGSINK_KEY = '5eb6e1c0b6e14b0c9c3c2d7a0e1f2a3b';

const SCRATCH = join(import.meta.dirname, '.data', 'peers');
const VENV = join(SCRATCH, 'venv');
const bin = (name: string) => join(VENV, 'bin', name);

export const QUOTA_NOTE =
  'Bugsink quotas (MAX_EVENTS_* per 5 minutes, hour, month) raised to 10^9 and the project retention to 10^9 events for the run';

function run(command: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const result = spawnSync(command, args, { env: env ?? process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const why = result.error ? result.error.message : (result.stderr || result.stdout).trim().split('\n').slice(-5).join(' | ');
    throw new Error(`${command} ${args.join(' ')} failed: ${why}`);
  }
  return result.stdout;
}

/** The virtual environment with Bugsink installed (once; later runs reuse it). Throws saying why not. */
export function ensureBugsink(): void {
  if (existsSync(bin('bugsink-manage'))) return;
  mkdirSync(SCRATCH, { recursive: true });
  if (!existsSync(bin('pip'))) run('python3', ['-m', 'venv', VENV]);
  run(bin('pip'), ['install', '--quiet', `bugsink==${BUGSINK_VERSION}`]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface BugsinkPeer {
  url: string;
  projectId: number;
  dir: string;
  /** gunicorn's master and the Snappea foreman; their children are found through /proc. */
  pids: number[];
  /** Events Bugsink has digested into its database. */
  storedEvents(): number;
  /** Ingested envelopes Snappea has not digested yet. */
  pendingTasks(): number;
  stop(): Promise<void>;
}

export async function startBugsink(): Promise<BugsinkPeer> {
  ensureBugsink();
  mkdirSync(SCRATCH, { recursive: true });
  const dir = mkdtempSync(join(SCRATCH, 'run-'));
  const port = await freePort();
  const conf = join(dir, 'bugsink_conf.py');
  run(bin('bugsink-create-conf'), ['--template=singleserver', '--host=127.0.0.1', `--port=${port}`, `--base-dir=${dir}`, `--output-file=${conf}`]);
  appendFileSync(
    conf,
    `
# --- Proliferate bench: plain HTTP on 127.0.0.1 (no TLS proxy in front) ---
BUGSINK["BASE_URL"] = "http://127.0.0.1:${port}"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_PROXY_SSL_HEADER = None
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
USE_X_REAL_IP = False
# --- quotas raised so that they do not limit the run ---
for _name in ["MAX_EVENTS_PER_PROJECT_PER_5_MINUTES", "MAX_EVENTS_PER_PROJECT_PER_HOUR", "MAX_EVENTS_PER_PROJECT_PER_MONTH",
              "MAX_EVENTS_PER_5_MINUTES", "MAX_EVENTS_PER_HOUR", "MAX_EVENTS_PER_MONTH"]:
    BUGSINK[_name] = 10 ** 9
`,
  );
  const env = { ...process.env, PYTHONPATH: dir, DJANGO_SETTINGS_MODULE: 'bugsink_conf' };
  run(bin('bugsink-manage'), ['migrate', 'snappea', '--database=snappea'], env);
  run(bin('bugsink-manage'), ['migrate'], env);
  const created = run(
    bin('bugsink-manage'),
    [
      'shell',
      '-c',
      [
        'import uuid',
        'from teams.models import Team',
        'from projects.models import Project',
        "team = Team.objects.create(name='bench')",
        `project = Project.objects.create(team=team, name='bench', sentry_key=uuid.UUID('${BUGSINK_KEY}'), retention_max_event_count=10**9)`,
        "print('PROJECT', project.id)",
      ].join('\n'),
    ],
    env,
  );
  const projectId = Number(/PROJECT (\d+)/.exec(created)?.[1]);
  if (!Number.isInteger(projectId)) throw new Error(`Bugsink project not created: ${created}`);

  const workers = Math.min(cpus().length, 4);
  const logs: string[] = [];
  const keep = (child: ChildProcess) => {
    child.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
    return child;
  };
  const gunicorn = keep(spawn(bin('gunicorn'), [`--bind=127.0.0.1:${port}`, `--workers=${workers}`, '--log-level=warning', 'bugsink.wsgi'], { env, cwd: dir }));
  const snappea = keep(spawn(bin('bugsink-runsnappea'), [], { env, cwd: dir }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || gunicorn.exitCode !== null) throw new Error(`Bugsink did not start: ${logs.join('').slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const count = (file: string, sql: string) => {
    const db = new Database(join(dir, file), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare(sql).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  return {
    url,
    projectId,
    dir,
    pids: [gunicorn.pid!, snappea.pid!],
    storedEvents: () => count('db.sqlite3', 'SELECT count(*) AS n FROM events_event'),
    pendingTasks: () => count('snappea.sqlite3', 'SELECT count(*) AS n FROM snappea_task'),
    async stop() {
      for (const child of [gunicorn, snappea]) {
        if (child.exitCode !== null) continue;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  };
}

/** Every process under `pid` (itself included), from /proc. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const visit = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return out;
}

export { dirBytes };
