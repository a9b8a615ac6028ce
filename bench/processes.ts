/**
 * Processes under test and what is read from them: the real server (built dist, through the test
 * helper), the reference server, peak RSS from /proc, and the data directory's size on disk.
 * Every process is stopped by its own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { cliPath, startServer, type RunningServer, type StartOptions } from '../tests/helpers/server.js';

export type { RunningServer };

export async function startProliferate(options: StartOptions = {}): Promise<RunningServer> {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run "npm run build" first`);
  return startServer(options);
}

/** Peak resident set size of a process (VmHWM), in bytes; null where /proc is not available. */
export function peakRss(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** User and system CPU time of each thread of a process, in ms (from /proc; clock ticks of 10 ms). */
export function threadCpu(pid: number): Map<string, { user: number; system: number }> {
  const out = new Map<string, { user: number; system: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(tid, { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 });
  }
  return out;
}

/** CPU ms per thread spent between two threadCpu samples, busiest first. */
export function cpuBetween(before: ReturnType<typeof threadCpu>, after: ReturnType<typeof threadCpu>): Array<{ tid: string; user: number; system: number }> {
  return [...after]
    .map(([tid, end]) => {
      const start = before.get(tid) ?? { user: 0, system: 0 };
      return { tid, user: end.user - start.user, system: end.system - start.system };
    })
    .sort((a, b) => b.user + b.system - (a.user + a.system));
}

/** Bytes of every file under a directory (database, WAL, shared memory). */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    total += stat.isDirectory() ? dirBytes(path) : stat.size;
  }
  return total;
}

/**
 * Disk per event of a stopped server's data directory: checkpoint the WAL into the main file
 * (truncating it), then divide everything in the directory by the number of stored events.
 */
export function diskPerEvent(dataDir: string, databaseFile = 'proliferate.sqlite3'): { events: number; bytes: number } {
  const db = new Database(join(dataDir, databaseFile));
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const { n } = db.prepare('SELECT count(*) AS n FROM events').get() as { n: number };
    db.close();
    return { events: n, bytes: dirBytes(dataDir) };
  } catch (error) {
    db.close();
    throw error;
  }
}

export interface ReferenceServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startReference(): Promise<ReferenceServer> {
  const script = new URL('./reference-server.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('reference server did not start in 20 s')), 20_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`reference server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid!, 'SIGTERM');
      await exited;
    },
  };
}
