/**
 * Crash recovery, kill to first new delivery: a leadmail process (the built `dist/server/main.js`)
 * drains a queue of one unpaced mailbox, is SIGKILLed at some point of it, and a new process is
 * started on the same database. Measured: how long from the kill until the SMTP server receives
 * the next message (includes the new process's start-up), with the default heartbeat settings.
 * Also prints what became of the mails (each sent once, or `unknown` if it was in flight).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../server/infra/db/db.js';
import type { JobQueue } from '../server/infra/queue/job-queue.js';
import type { MailboxRow } from '../server/modules/mailboxes/mailboxes.repository.js';
import { reserveSlot } from '../server/modules/emails/pacing.js';
import { scheduleDrain } from '../server/modules/emails/send-email.job.js';

const mainJs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../server/main.js');

interface Child {
  proc: ChildProcess;
  exited: Promise<void>;
}

async function startChild(env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, [mainJs], { env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'info', PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    const onData = (c: Buffer): void => {
      buf += c.toString();
      if (!buf.includes('leadmail is running')) return;
      proc.stdout!.off('data', onData);
      proc.stdout!.resume();
      resolve();
    };
    proc.stdout!.on('data', onData);
    void exited.then(() => reject(new Error(`bench child exited early: ${buf}`)));
  });
  return { proc, exited };
}

async function queueMails(db: Db, queue: JobQueue, mailboxId: string, leadId: number, n: number): Promise<void> {
  const client = await db.connect();
  const jobs: { id: string; slot: Awaited<ReturnType<typeof reserveSlot>> }[] = [];
  try {
    await client.query('BEGIN');
    const row = (await client.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1 FOR UPDATE', [mailboxId])).rows[0]!;
    for (let i = 0; i < n; i++) {
      const id = crypto.randomUUID();
      const slot = await reserveSlot(client, row);
      await client.query(
        `INSERT INTO emails (id, account_id, user_id, mailbox_id, entity_type, entity_id, status, message_id, to_addresses, subject, body_html, not_before)
         VALUES ($1, 1, 1, $2, 'leads', $3, 'queued', $4, '["r@client.example"]', 'Crash bench', '<p>x</p>', $5)`,
        [id, mailboxId, leadId, `<${id}@bench>`, slot.at],
      );
      jobs.push({ id, slot });
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  if (jobs.length) await scheduleDrain(db, queue, mailboxId, Math.min(...jobs.map((j) => j.slot.inMs)));
}

const until = async (cond: () => boolean, timeoutMs: number): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('bench: condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/**
 * `received` is the SMTP server's list of arrival times; `env` the configuration of the children
 * (same database and key as the in-process server, whose queue must be stopped by the caller).
 */
export async function benchCrashRecovery(p: { db: Db; queue: JobQueue; env: Record<string, string>; mailboxId: string; leadId: number; received: number[] }): Promise<void> {
  const trials = 3;
  const n = 1500;
  await queueMails(p.db, p.queue, p.mailboxId, p.leadId, n);
  let child = await startChild(p.env);
  const figures: { total: number; startup: number }[] = [];
  for (let t = 0; t < trials; t++) {
    // Kill at a different point of the drain each time.
    const target = p.received.length + 100 + Math.floor(Math.random() * 200);
    await until(() => p.received.length >= target, 120_000);
    child.proc.kill('SIGKILL');
    const killedAt = Date.now();
    await child.exited;
    const before = p.received.length;
    child = await startChild(p.env);
    const readyAt = Date.now();
    await until(() => p.received.length > before, 120_000);
    figures.push({ total: p.received.at(before)! - killedAt, startup: readyAt - killedAt });
  }
  const states = await p.db.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM emails WHERE mailbox_id = $1 GROUP BY status ORDER BY status',
    [p.mailboxId],
  );
  child.proc.kill('SIGTERM');
  await child.exited;
  const totals = figures.map((f) => f.total).sort((a, b) => a - b);
  console.log(
    `crash recovery (SIGKILL mid-queue → first new delivery, default heartbeat): ${figures.map((f) => `${f.total} ms (restart ${f.startup} ms)`).join(', ')}; median ${totals[Math.floor(totals.length / 2)]} ms`,
  );
  console.log(`  after ${trials} kills: ${states.rows.map((r) => `${r.status} ${r.n}`).join(', ')} (queue of ${n} + earlier mail)`);
}
