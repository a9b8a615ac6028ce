#!/usr/bin/env node
import { ISSUE_HELP, issueCommand, RELEASE_HELP, ReleaseCommandError, releaseCommand } from './release-command.js';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, DEFAULT_PORT, dsnBase, dsnFor, readConfig, readStoreConfig, type ConfigFlags } from '../config.js';
import { startServer } from '../server.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { findDataDir, requireExistingStore } from './data-dir.js';
import { doctor } from './doctor.js';
import { MIGRATE_HELP, migrateFromSqlite } from './migrate-command.js';
import { BACKUP_HELP, BackupError, backup, restore } from './backup-command.js';
import { DELETE_HELP, deleteCommand, ERASE_HELP, eraseCommand, LifecycleCommandError } from './lifecycle-command.js';
import { TRACE_HELP, traceCommand, TraceCommandError } from './trace-command.js';
import { readStdin, USER_HELP, userCommand, UserCommandError } from './user-command.js';

const HELP: Record<string, string> = {
  main: `Usage: proliferate <command> [options]

Commands:
  serve                 Run the server (ingest, API, dashboard)
  project create NAME   Create a project and print it as JSON (with its DSN)
  project list          List projects as JSON
  token create          Create an API token and print it
  release create|finalize|list|deploy   Manage releases (docs/releases.md)
  issue resolve ID [--in-next-release | --in-release VERSION]   Resolve an issue, by release
  trace tag set|delete  Set or delete a trace tag (one trace, or every trace matching --filter)
  user create|list|set-role|set-password|delete  Manage the people who sign in (docs/teams.md)
  doctor                Check the data directory, port, public URL and SMTP, and say what is wrong
  migrate               Copy a SQLite install into PostgreSQL (--from-sqlite DIR --database-url URL)
  erase-user            GDPR erasure of one person (--user-id ID | --email EMAIL) across projects
  delete issue|event    Delete an issue with its events, or one event
  backup --to FILE      A consistent snapshot while the server runs (docs/operations.md)
  restore --from FILE   Restore a backup into a new data directory or an empty database

Run "proliferate <command> --help" for a command's options.
Every command takes --data-dir DIR (or PROLIFERATE_DATA_DIR; default ./.proliferate) and
--database-url URL (or PROLIFERATE_DATABASE_URL). docs/install.md lists every setting. Commands other
than serve also find a .proliferate folder in a parent folder, and refuse to run where there is no store.`,
  serve: `Usage: proliferate serve [--port N] [--host H] [--data-dir DIR] [--database-url URL] [--public-url URL] [--json]

  --port N          Port to listen on (PROLIFERATE_PORT, default ${DEFAULT_PORT}; 0 picks a free port)
  --host H          Address to bind (PROLIFERATE_HOST, default 127.0.0.1)
  --data-dir DIR    Where the SQLite store lives (PROLIFERATE_DATA_DIR, default ./.proliferate)
  --database-url URL  A postgres:// URL selects PostgreSQL (PROLIFERATE_DATABASE_URL; default: SQLite in the data directory)
  --public-url URL  Base URL that DSNs point at (PROLIFERATE_PUBLIC_URL, default http://HOST:PORT)
  --json            Print the start-up details as one JSON line instead of text`,
  project: `Usage: proliferate project create NAME [--slug SLUG] [--data-dir DIR] [--public-url URL]
       proliferate project list [--data-dir DIR] [--public-url URL]`,
  token: `Usage: proliferate token create [--name NAME] [--project ID] [--data-dir DIR]
       proliferate token list [--data-dir DIR]
       proliferate token revoke ID [--data-dir DIR]

  --name NAME     A label for the token (default "cli")
  --project ID    Limit the token to one project (default: every project)
  list prints id, name, project and creation time (never the token itself: only its hash is kept);
  revoke deletes the token with that id, and the next request that presents it gets 401.`,
  trace: TRACE_HELP,
  user: USER_HELP,
  release: RELEASE_HELP,
  issue: ISSUE_HELP,
  doctor: `Usage: proliferate doctor [--data-dir DIR] [--port N] [--host H] [--public-url URL]

  Checks, with the settings "serve" would use (flags, else PROLIFERATE_* variables): the Node.js
  version; the data directory (exists, writable, a readable store, free disk); the port (free, or
  a Proliferate server already on it); the public URL (valid, and whether it reaches this server);
  SMTP when PROLIFERATE_SMTP_URL is set (the server answers with an SMTP greeting).
  Prints one line per check (✓ ok, ! warning, ✗ failure) and exits 1 when a check failed.`,
  migrate: MIGRATE_HELP,
  'erase-user': ERASE_HELP,
  delete: DELETE_HELP,
  backup: BACKUP_HELP,
  restore: BACKUP_HELP,
};

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  'from-sqlite': { type: 'string' },
  'public-url': { type: 'string' },
  json: { type: 'boolean' },
  slug: { type: 'string' },
  name: { type: 'string' },
  project: { type: 'string', multiple: true },
  role: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  filter: { type: 'string' },
  commit: { type: 'string' },
  repository: { type: 'string' },
  environment: { type: 'string' },
  'in-next-release': { type: 'boolean' },
  'in-release': { type: 'string' },
  'user-id': { type: 'string' },
  email: { type: 'string' },
  to: { type: 'string' },
  from: { type: 'string' },
} satisfies ParseArgsConfig['options'];

class UsageError extends Error {}

/** --project may repeat only for user commands. */
function lastOne(list: string[] | undefined, command: string): string | undefined {
  if ((list?.length ?? 0) > 1) throw new UsageError(`${command} takes one --project`);
  return list?.[0];
}

/** The base URL of DSNs printed by the admin commands (the server's own when it runs with the same settings). */
function publicUrlFrom(flags: ConfigFlags): string {
  return dsnBase(readConfig(flags));
}

async function serve(values: ConfigFlags & { json?: boolean }) {
  const config = readConfig(values);
  const server = await startServer(config);
  const info = {
    url: server.url,
    port: server.port,
    projectId: String(server.defaultProject.id),
    publicKey: server.defaultProject.publicKey,
    dsn: server.defaultProject.dsn,
    ...(server.adminToken ? { adminToken: server.adminToken } : {}),
    ...(server.setupUrl ? { setupUrl: server.setupUrl } : {}),
  };
  if (values.json) process.stdout.write(JSON.stringify(info) + '\n');
  else {
    console.log(`Proliferate is running at ${info.url}`);
    console.log(config.databaseUrl ? '  store: PostgreSQL' : `  data directory: ${config.dataDir}`);
    console.log(`  default project DSN: ${info.dsn}`);
    if (info.adminToken) {
      console.log(`  admin API token (shown once, keep it): ${info.adminToken}`);
    } else {
      console.log('  API tokens: create one with "proliferate token create"');
    }
    if (info.setupUrl) console.log(`  create the owner account (one-time link, 24 hours): ${info.setupUrl}`);
  }
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function withStore<T>(flags: ConfigFlags, run: (store: Store) => Promise<T>): Promise<T> {
  const config = readStoreConfig(flags);
  // Only serve creates a store: on SQLite, any other command needs the data directory to hold one.
  if (!config.databaseUrl) config.dataDir = requireExistingStore(findDataDir(flags['data-dir']));
  const store = await openStore(config, { ingest: false });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, sub, ...rest] = positionals;
  if (!command || command === 'help') return console.log(HELP.main);
  if (values.help) return console.log(HELP[command] ?? HELP.main);
  switch (command) {
    case 'serve':
      if (sub) throw new UsageError(`serve takes no arguments, got "${sub}"`);
      return serve(values);
    case 'project':
      if (sub === 'create') {
        const name = rest.join(' ').trim();
        if (!name) throw new UsageError('project create needs a NAME');
        const project = await withStore(values, (s) => s.createProject({ name, slug: values.slug }));
        return console.log(JSON.stringify({ ...project, dsn: dsnFor(publicUrlFrom(values), project.publicKey, project.id) }, null, 2));
      }
      if (sub === 'list') {
        const projects = await withStore(values, (s) => s.listProjects());
        const base = publicUrlFrom(values);
        return console.log(JSON.stringify(projects.map((p) => ({ ...p, dsn: dsnFor(base, p.publicKey, p.id) })), null, 2));
      }
      throw new UsageError(`unknown project command "${sub ?? ''}" (use create or list)`);
    case 'token':
      if (sub === 'create') {
        const projectArg = lastOne(values.project, 'token create');
        const projectId = projectArg === undefined ? null : Number(projectArg);
        if (projectId !== null && !(Number.isInteger(projectId) && projectId > 0)) throw new UsageError('--project must be a project id');
        const created = await withStore(values, async (s) => {
          if (projectId !== null && !(await s.getProject(projectId))) throw new UsageError(`project ${projectId} does not exist`);
          return s.createToken({ name: values.name ?? 'cli', projectId });
        });
        return console.log(created.token);
      }
      if (sub === 'list') return console.log(JSON.stringify(await withStore(values, (s) => s.listTokens()), null, 2));
      if (sub === 'revoke') {
        const id = Number(rest[0]);
        if (!Number.isInteger(id) || id <= 0) throw new UsageError('token revoke needs a token id (see "proliferate token list")');
        if (!(await withStore(values, (s) => s.revokeToken(id)))) throw new UsageError(`no token with id ${id}`);
        return console.log(`token ${id} revoked`);
      }
      throw new UsageError(`unknown token command "${sub ?? ''}" (use create, list or revoke)`);
    case 'doctor': {
      if (sub) throw new UsageError(`doctor takes no arguments, got "${sub}"`);
      const result = await doctor({ dataDir: values['data-dir'], host: values.host, port: values.port, publicUrl: values['public-url'] });
      console.log(result.report);
      if (result.failed) process.exitCode = 1;
      return;
    }
    case 'user':
      return console.log(await withStore(values, (s) => userCommand(s, [sub ?? '', ...rest], values, readStdin)));
    case 'trace':
      return console.log(await withStore(values, (s) => traceCommand(s, [sub ?? '', ...rest], { ...values, project: lastOne(values.project, 'trace') })));
    case 'release':
      return console.log(await withStore(values, (s) => releaseCommand(s, [sub ?? '', ...rest], { ...values, project: lastOne(values.project, 'release') })));
    case 'issue':
      return console.log(await withStore(values, (s) => issueCommand(s, [sub ?? '', ...rest], { ...values, project: lastOne(values.project, 'issue') })));
    case 'migrate': {
      const from = values['from-sqlite'];
      const url = readStoreConfig(values).databaseUrl;
      if (!from || !url) throw new UsageError('migrate needs --from-sqlite DIR and --database-url URL (or PROLIFERATE_DATABASE_URL)');
      const ok = await migrateFromSqlite(from, url);
      if (!ok) process.exitCode = 1;
      return;
    }
    case 'erase-user':
      if (sub) throw new UsageError(`erase-user takes options only, got "${sub}"`);
      return console.log(await withStore(values, (s) => eraseCommand(s, values)));
    case 'delete':
      return console.log(await withStore(values, (s) => deleteCommand(s, [sub ?? '', ...rest], values)));
    case 'backup': {
      if (!values.to) throw new UsageError('backup needs --to FILE');
      const config = readStoreConfig(values);
      if (!config.databaseUrl) config.dataDir = requireExistingStore(findDataDir(values['data-dir']));
      return console.log(await backup(config, values.to));
    }
    case 'restore': {
      if (!values.from) throw new UsageError('restore needs --from FILE');
      return console.log(await restore(readStoreConfig(values), values.from));
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const usage =
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof TraceCommandError ||
    error instanceof UserCommandError ||
    error instanceof ReleaseCommandError ||
    error instanceof LifecycleCommandError ||
    error instanceof BackupError ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  console.error(`proliferate: ${message}${usage ? '\nRun "proliferate --help" for usage.' : ''}`);
  process.exit(usage ? 2 : 1);
});
