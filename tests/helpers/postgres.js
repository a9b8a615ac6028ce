/**
 * A fresh PostgreSQL database for one test file, dropped at the end.
 *
 * With PROLIFERATE_TEST_DATABASE_URL set (a URL whose role may CREATE DATABASE), databases are made
 * on that server. Otherwise the local Debian cluster is used over its unix socket with peer
 * authentication: it is started if it is down (`pg_ctlcluster <version> main start`), and a
 * superuser role named after the OS user is created once (`createuser -s`, as the postgres user).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import pg from 'pg';
const SOCKET_DIR = '/var/run/postgresql';
function localCluster() {
    if (!existsSync('/usr/bin/pg_lsclusters')) {
        throw new Error('PostgreSQL is not installed: install the Debian package "postgresql" (apt-get install postgresql), or set PROLIFERATE_TEST_DATABASE_URL');
    }
    const lines = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    if (lines.length === 0)
        throw new Error('the postgresql package is installed but has no cluster: run pg_createcluster 15 main');
    const [version, name, , status] = lines[0].split(/\s+/);
    return { version: version, name: name, online: status === 'online' };
}
async function connect(url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
}
/** A connection URL to the local cluster's `postgres` database, starting the cluster and creating the role as needed. */
async function localAdminUrl() {
    const user = userInfo().username;
    // The host query parameter (a socket directory) overrides the placeholder host for node-postgres.
    const url = `postgres://${encodeURIComponent(user)}@localhost/postgres?host=${encodeURIComponent(SOCKET_DIR)}`;
    const cluster = localCluster();
    if (!cluster.online)
        execFileSync('pg_ctlcluster', [cluster.version, cluster.name, 'start'], { stdio: 'inherit' });
    try {
        await (await connect(url)).end();
    }
    catch (error) {
        if (error.code !== '28000')
            throw error;
        // The role does not exist yet (peer authentication found no role for this OS user).
        execFileSync('su', ['postgres', '-c', `createuser -s ${user}`], { stdio: 'inherit' });
    }
    return url;
}
export async function createTestDatabase(label = 'test') {
    const adminUrl = process.env.PROLIFERATE_TEST_DATABASE_URL || (await localAdminUrl());
    const name = `proliferate_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = await connect(adminUrl);
    try {
        await admin.query(`CREATE DATABASE ${name}`);
    }
    finally {
        await admin.end();
    }
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return {
        url: url.toString(),
        async drop() {
            const client = await connect(adminUrl);
            try {
                await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            }
            finally {
                await client.end();
            }
        },
    };
}
//# sourceMappingURL=postgres.js.map