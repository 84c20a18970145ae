/**
 * The embedded PostgreSQL is a child of the leadmail process, and outlives it when only leadmail
 * is killed (kill -9, the OOM killer picks the largest process): the postmaster keeps the port
 * and the data directory, and the next start failed with "port already in use" until someone
 * found and killed it by hand. Linux only (/proc); elsewhere nothing is adopted.
 *
 * Who owns a running postmaster is told by LEADMAIL_PID_FILE in DATA_DIR: the pid of the leadmail
 * that started it. A postmaster on our data whose parent is still that leadmail belongs to a
 * running leadmail and is left alone; any other is an orphan of a dead one, stopped cleanly (fast
 * shutdown), so this start can use the data.
 */
import fs from 'node:fs';
import path from 'node:path';

export const LEADMAIL_PID_FILE = 'leadmail.pid';

export interface OrphanCheck {
  /** The postmaster of a dead leadmail was running on the data and has been stopped. */
  stopped?: number;
  /** A running leadmail (this pid) uses the data: do not start another. */
  ownedBy?: number;
}

const readProc = (pid: number, file: string): string | null => {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
};

/** Running, not a zombie waiting to be reaped. */
export function processAlive(pid: number): boolean {
  const status = readProc(pid, 'status');
  return status !== null && !/^State:\s+Z/m.test(status);
}

/** The parent pid, from /proc/<pid>/stat (after the command name, which may contain spaces). */
function parentOf(pid: number): number | null {
  const stat = readProc(pid, 'stat');
  if (!stat) return null;
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

const readPid = (file: string): number | null => {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
};

/** The postmaster running on `databaseDir` (by its lock file and its command line), if any. */
function livePostmaster(databaseDir: string): number | null {
  const pid = readPid(path.join(databaseDir, 'postmaster.pid'));
  if (pid === null || !processAlive(pid)) return null;
  const args = (readProc(pid, 'cmdline') ?? '').split('\0');
  const d = args.indexOf('-D');
  return d >= 0 && path.resolve(args[d + 1] ?? '') === path.resolve(databaseDir) ? pid : null;
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (processAlive(pid)) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** Stops the postmaster a dead leadmail left running on `databaseDir`; see the file comment. */
export async function stopOrphanedPostmaster(dataDir: string, databaseDir: string): Promise<OrphanCheck> {
  if (process.platform !== 'linux') return {};
  const postmaster = livePostmaster(databaseDir);
  if (postmaster === null) return {};
  const parent = parentOf(postmaster);
  const owner = readPid(path.join(dataDir, LEADMAIL_PID_FILE));
  // Its starter is alive and still its parent; without a record (data from an older version),
  // a parent other than init may be a running leadmail too.
  if (parent !== null && parent !== process.pid && (parent === owner || (owner === null && parent !== 1)) && processAlive(parent)) return { ownedBy: parent };
  // SIGINT is PostgreSQL's fast shutdown: sessions end, a checkpoint is written, the lock file removed.
  process.kill(postmaster, 'SIGINT');
  if (!(await waitGone(postmaster, 30_000))) {
    // Immediate shutdown: the next start recovers from the write-ahead log, as after a crash.
    process.kill(postmaster, 'SIGQUIT');
    if (!(await waitGone(postmaster, 10_000))) throw new Error(`the PostgreSQL left running on ${databaseDir} (pid ${postmaster}) did not stop`);
  }
  return { stopped: postmaster };
}

/** Records this process as the one that started the postmaster on DATA_DIR. */
export function recordOwner(dataDir: string): void {
  fs.writeFileSync(path.join(dataDir, LEADMAIL_PID_FILE), `${process.pid}\n`);
}
