/**
 * `proliferate doctor`: checks what a start needs (the data directory, the port, the public URL,
 * SMTP when configured) and says in words what is wrong. Exit code 1 when a check fails.
 */
import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, statfsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_PORT, parsePort } from '../config.js';
import { DATABASE_FILE } from '../store/sqlite/store.js';
import { findDataDir } from './data-dir.js';

type Level = 'ok' | 'warn' | 'fail';
export interface Finding {
  level: Level;
  check: string;
  message: string;
}

const MARK: Record<Level, string> = { ok: '✓', warn: '!', fail: '✗' };
const LOW_DISK_BYTES = 1024 ** 3;

export interface DoctorOptions {
  dataDir?: string;
  host?: string;
  port?: string;
  publicUrl?: string;
  env?: NodeJS.ProcessEnv;
}

function checkDataDir(flag: string | undefined, env: NodeJS.ProcessEnv): Finding[] {
  const found = findDataDir(flag, env);
  const check = 'data directory';
  const where = `${found.dir}${found.source === 'default' || found.source === 'found' ? '' : ` (from ${found.source})`}`;
  if (!existsSync(found.dir)) {
    return [{ level: 'warn', check, message: `${where} does not exist yet: "proliferate serve" creates it and a store on first start` }];
  }
  try {
    accessSync(found.dir, constants.W_OK);
  } catch {
    return [{ level: 'fail', check, message: `${where} is not writable by this user: the server cannot store events there` }];
  }
  const findings: Finding[] = [];
  const file = join(found.dir, DATABASE_FILE);
  if (!existsSync(file)) findings.push({ level: 'warn', check, message: `${where} has no store yet: "proliferate serve" creates one on first start` });
  else {
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
        findings.push({ level: 'ok', check, message: `${where}: store with ${count('projects')} project(s), ${count('api_tokens')} API token(s), ${count('issues')} issue(s)` });
      } finally {
        db.close();
      }
    } catch (error) {
      findings.push({ level: 'fail', check, message: `${file} cannot be read as a Proliferate store: ${(error as Error).message}` });
    }
  }
  const disk = statfsSync(found.dir);
  const free = disk.bavail * disk.bsize;
  if (free < LOW_DISK_BYTES) findings.push({ level: 'warn', check: 'disk', message: `only ${Math.round(free / 1024 ** 2)} MiB free on the disk of ${found.dir}` });
  return findings;
}

function portIsFree(host: string, port: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}

async function isProliferate(url: string): Promise<string | null> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3000) });
    const body = (await response.json()) as { ok?: boolean; store?: string };
    return body.ok === true ? (body.store ?? 'unknown store') : null;
  } catch {
    return null;
  }
}

async function checkPort(host: string, port: number): Promise<Finding> {
  const check = 'port';
  const error = await portIsFree(host, port);
  if (!error) return { level: 'ok', check, message: `${host}:${port} is free for the server` };
  const url = `http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  if (error.code === 'EADDRINUSE') {
    const store = await isProliferate(url);
    if (store) return { level: 'ok', check, message: `a Proliferate server is already running at ${url} (${store} store)` };
    return { level: 'fail', check, message: `${host}:${port} is in use by another program (not a Proliferate server): choose another with --port or PROLIFERATE_PORT` };
  }
  if (error.code === 'EACCES') return { level: 'fail', check, message: `this user may not listen on ${host}:${port} (ports below 1024 need privileges): use --port 8000` };
  if (error.code === 'EADDRNOTAVAIL') return { level: 'fail', check, message: `${host} is not an address of this machine: use --host 127.0.0.1 or 0.0.0.0` };
  return { level: 'fail', check, message: `cannot listen on ${host}:${port}: ${error.message}` };
}

async function checkPublicUrl(publicUrl: string | undefined, host: string): Promise<Finding> {
  const check = 'public URL';
  if (!publicUrl) {
    if (host === '0.0.0.0' || host === '::') {
      return { level: 'warn', check, message: 'not set while the server accepts other machines: DSNs will name 127.0.0.1; set --public-url or PROLIFERATE_PUBLIC_URL to the address clients use' };
    }
    return { level: 'ok', check, message: `not set: DSNs name http://${host}:PORT` };
  }
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    return { level: 'fail', check, message: `"${publicUrl}" is not a URL (expected e.g. https://errors.example.com)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { level: 'fail', check, message: `${publicUrl} must start with http:// or https://` };
  if (url.username || url.password) return { level: 'fail', check, message: `${url.origin} must not contain a user or password: DSNs put the project key there` };
  const store = await isProliferate(publicUrl.replace(/\/$/, ''));
  if (store) return { level: 'ok', check, message: `${publicUrl} reaches a Proliferate server` };
  return { level: 'warn', check, message: `${publicUrl} does not answer /healthz from this machine (fine if the server is not running yet, or the URL is only reachable from elsewhere)` };
}

function smtpGreeting(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: 5000 });
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\n')) {
        socket.end('QUIT\r\n');
        resolve(data.split('\n')[0]!.trim());
      }
    });
    socket.on('timeout', () => socket.destroy(new Error('no greeting within 5 s')));
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('the connection closed before a greeting')));
  });
}

async function checkSmtp(env: NodeJS.ProcessEnv): Promise<Finding[]> {
  const raw = env.PROLIFERATE_SMTP_URL;
  if (!raw) return [];
  const check = 'SMTP';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [{ level: 'fail', check, message: 'PROLIFERATE_SMTP_URL is not a URL (expected smtp://user:password@host:587 or smtps://...)' }];
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return [{ level: 'fail', check, message: `PROLIFERATE_SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//` }];
  const port = Number(url.port || (url.protocol === 'smtps:' ? 465 : 587));
  const shown = `${url.protocol}//${url.hostname}:${port}`; // never print the password
  const findings: Finding[] = [];
  if (!env.PROLIFERATE_EMAIL_FROM) findings.push({ level: 'warn', check, message: 'PROLIFERATE_EMAIL_FROM is not set: mail will have a default sender address' });
  if (url.protocol === 'smtps:') {
    findings.push({ level: 'warn', check, message: `${shown} uses TLS from the first byte; only the TCP connection was checked` });
  }
  try {
    const greeting = url.protocol === 'smtps:' ? await tcpOpen(url.hostname, port) : await smtpGreeting(url.hostname, port);
    if (url.protocol === 'smtp:' && !greeting.startsWith('220')) findings.push({ level: 'fail', check, message: `${shown} answered "${greeting}" instead of an SMTP greeting (220)` });
    else findings.push({ level: 'ok', check, message: `${shown} answers${url.protocol === 'smtp:' ? `: ${greeting}` : ''}` });
  } catch (error) {
    findings.push({ level: 'fail', check, message: `cannot reach the mail server ${shown}: ${(error as Error).message}` });
  }
  return findings;
}

function tcpOpen(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: 5000 }, () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('timeout', () => socket.destroy(new Error('no connection within 5 s')));
    socket.on('error', reject);
  });
}

export async function doctor(options: DoctorOptions): Promise<{ findings: Finding[]; report: string; failed: boolean }> {
  const env = options.env ?? process.env;
  const host = options.host ?? env.PROLIFERATE_HOST ?? '127.0.0.1';
  const port = parsePort(options.port ?? env.PROLIFERATE_PORT, DEFAULT_PORT);
  const major = Number(process.versions.node.split('.')[0]);
  const findings: Finding[] = [
    major >= 20
      ? { level: 'ok', check: 'Node.js', message: `version ${process.versions.node}` }
      : { level: 'fail', check: 'Node.js', message: `version ${process.versions.node} is too old: Proliferate needs Node.js 20 or newer` },
    ...checkDataDir(options.dataDir, env),
    await checkPort(host, port),
    await checkPublicUrl(options.publicUrl ?? env.PROLIFERATE_PUBLIC_URL, host),
    ...(await checkSmtp(env)),
  ];
  const failed = findings.some((f) => f.level === 'fail');
  const lines = findings.map((f) => `${MARK[f.level]} ${f.check}: ${f.message}`);
  const warned = findings.some((f) => f.level === 'warn');
  lines.push(failed ? 'Some checks failed (✗): fix them before starting the server.' : warned ? 'Nothing failed; read the warnings (!).' : 'Nothing is wrong.');
  return { findings, report: lines.join('\n'), failed };
}
