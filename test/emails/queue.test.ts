import { type World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, sendEmail, emailIdOf, startWorldWithSink, stopWorldWithSink } from '../support/send-helpers.js';
import { DRAIN_JOB } from '../../server/modules/emails/send-email.job.js';

let w: World;
let sink: SmtpSink;
beforeAll(async () => ({ w, sink } = await startWorldWithSink()));
afterAll(() => stopWorldWithSink(w, sink));
const idOf = emailIdOf;

/**
 * Waits until the queue is quiet for these mails: none queued or sending, and no drain of their
 * mailboxes due or running. Only then is "each arrived once" a proof: counting as soon as N arrived misses a
 * duplicate that comes later.
 */
async function settled(ids: string[]): Promise<SmtpSink['messages'][number][]> {
  const db = w.server.services.db;
  await eventually(async () => {
    const open = await db.query("SELECT 1 FROM emails WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'sending')", [ids]);
    expect(open.rowCount).toBe(0);
    // Their mailboxes' drains (one job per mailbox) neither due nor running.
    const jobs = await db.query(
      `SELECT 1 FROM agenda_jobs WHERE name = $2 AND (next_run_at IS NOT NULL OR locked_at IS NOT NULL)
         AND data->>'mailboxId' IN (SELECT mailbox_id::text FROM emails WHERE id = ANY($1::uuid[]))`,
      [ids, DRAIN_JOB],
    );
    expect(jobs.rowCount).toBe(0);
  }, { timeoutMs: 30_000, intervalMs: 100 });
  return sink.messages.filter((m) => ids.includes(idOf(m)));
}

async function queueMany(mailboxId: string, n: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await sendEmail(w, w.user, { mailboxId, subject: `${tag} ${i}`, html: `<p>${i}</p>`, to: [`r${i}@client.example`] }));
  return ids;
}

describe('the queue', () => {
  it('a 1-per-second mailbox never sends two mails less than one second apart (measured at the SMTP server)', async () => {
    const mb = await createMailbox(w, w.user, sink, { pacing: { messages: 1, seconds: 1 } });
    const ids = await queueMany(mb, 5, 'paced');
    const got = await settled(ids);
    expect(got.map(idOf).sort()).toEqual([...ids].sort());
    const times = got.map((m) => m.receivedAt).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
  });

  it('a single mail on an idle mailbox is due at once, not after the pacing interval', async () => {
    const mb = await createMailbox(w, w.user, sink, { pacing: { messages: 1, seconds: 60 } });
    const [id] = await queueMany(mb, 1, 'idle');
    const view = (await w.api(w.user).get(`/api/emails/${id}`)).body;
    // Its slot is the moment it was queued (pacing only spaces later mails)…
    expect(Date.parse(view.scheduledAt)).toBeLessThanOrEqual(Date.parse(view.createdAt) + 50);
    await eventually(() => expect(sink.messages.some((x) => idOf(x) === id)).toBe(true));
    // A second mail right after it waits for the interval instead.
    const [second] = await queueMany(mb, 1, 'idle-2');
    const next = (await w.api(w.user).get(`/api/emails/${second}`)).body;
    expect(Date.parse(next.scheduledAt) - Date.parse(view.scheduledAt)).toBeGreaterThanOrEqual(60_000);
  });

  // A graceful restart (SIGTERM: running sends finish first). A crash is test/emails/crash.test.ts.
  it('a graceful restart in the middle of a queue resumes with no mail lost and none sent twice', async () => {
    const mb = await createMailbox(w, w.user, sink, { pacing: { messages: 1, seconds: 1 } });
    const ids = await queueMany(mb, 6, 'restart');
    await eventually(() => expect(sink.messages.filter((m) => ids.includes(idOf(m))).length).toBeGreaterThanOrEqual(2), { timeoutMs: 10_000 });
    await w.restart();
    const got = await settled(ids);
    expect(got.map(idOf).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const e = await w.api(w.user).get(`/api/emails/${id}`);
      expect(e.body.status).toBe('sent');
    }
  });

  it('two server processes on one database share a mailbox queue without double sends or pacing breaks', async () => {
    const second = await w.startPeer();
    try {
      const mb = await createMailbox(w, w.user, sink, { pacing: { messages: 1, seconds: 1 } });
      const ids = await queueMany(mb, 5, 'two-procs');
      const got = await settled(ids);
      expect(got.map(idOf).sort()).toEqual([...ids].sort());
      const times = got.map((m) => m.receivedAt).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    } finally {
      await second.stop();
    }
  });

  it('holds mail past the daily cap for the rolling 24 h window', async () => {
    const mb = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 }, dailyCap: 2 });
    const ids = await queueMany(mb, 3, 'capped');
    await eventually(async () => {
      const statuses = await Promise.all(ids.map(async (id) => (await w.api(w.user).get(`/api/emails/${id}`)).body));
      expect(statuses.slice(0, 2).map((e) => e.status)).toEqual(['sent', 'sent']);
    }, { timeoutMs: 10_000 });
    const third = (await w.api(w.user).get(`/api/emails/${ids[2]}`)).body;
    expect(third.status).toBe('queued');
    const hours = (Date.parse(third.scheduledAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThan(24.1);
  });
});
