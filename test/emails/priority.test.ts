/**
 * One drain per mailbox, priority first (issue 7 §1/§2): a mail sent from a card while a mailing
 * drains the same mailbox leaves before the mailing's remaining mails, within the mailbox's
 * spacing; and the mailing's mails do not each get a scheduler job.
 */
import { ACCOUNT_ID, type World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, sendEmail, emailIdOf, queueBulk, startWorldWithSink, stopWorldWithSink } from '../support/send-helpers.js';
import { holdEmails } from '../../server/modules/emails/bulk-enqueue.js';
import { DRAIN_JOB } from '../../server/modules/emails/send-email.job.js';

let w: World;
let sink: SmtpSink;
beforeAll(async () => ({ w, sink } = await startWorldWithSink()));
afterAll(() => stopWorldWithSink(w, sink));
const idOf = emailIdOf;

/** `n` mailing mails through the door a mailing hands its batches to. */
const queueMailing = (mailboxId: string, n: number, tag: string, from = 0, onInserted?: () => Promise<void>): Promise<string[]> =>
  queueBulk(w, mailboxId, n, { tag, from, onInserted });

describe('the mailbox drain', () => {
  it('a card send overtakes a draining mailing on a 1-per-second mailbox, and the spacing holds', async () => {
    const mb = await createMailbox(w, w.user, sink, { pacing: { messages: 1, seconds: 1 } });
    const mailing = await queueMailing(mb, 30, 'mailing');
    // One drain for the mailbox, not thirty jobs.
    const jobs = await w.server.services.db.query(
      "SELECT 1 FROM agenda_jobs WHERE name = $1 AND data->>'mailboxId' = $2 AND (next_run_at IS NOT NULL OR locked_at IS NOT NULL)",
      [DRAIN_JOB, mb],
    );
    expect(jobs.rowCount).toBeLessThanOrEqual(1);
    const fromMailing = () => sink.messages.filter((m) => mailing.includes(idOf(m)));
    await eventually(() => expect(fromMailing().length).toBeGreaterThanOrEqual(2), { timeoutMs: 20_000, intervalMs: 50 });

    const card = await sendEmail(w, w.user, { mailboxId: mb, subject: 'From the card', html: '<p>now</p>', to: ['card@client.example'] });
    const queuedAt = fromMailing().length;
    await eventually(() => expect(sink.messages.some((m) => idOf(m) === card)).toBe(true), { timeoutMs: 20_000, intervalMs: 50 });
    // At most the mailing mail that was already in flight (or claimed) left between the card
    // send and the card mail; the other twenty-odd still wait.
    expect(fromMailing().length).toBeLessThanOrEqual(queuedAt + 1);
    await eventually(() => expect(fromMailing().length).toBeGreaterThanOrEqual(queuedAt + 2), { timeoutMs: 20_000, intervalMs: 50 });

    // Spacing at the SMTP server, card mail included.
    const ours = [...mailing, card];
    const times = sink.messages.filter((m) => ours.includes(idOf(m))).map((m) => m.receivedAt).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    await holdEmails(w.server.services.db, ACCOUNT_ID, mailing, 'MAILING_CANCELLED');
  }, 90_000);

  it('two server processes drain one mailing together: every mail delivered once, the paced mailbox one second apart', async () => {
    const second = await w.startPeer();
    try {
      const fast = await createMailbox(w, w.user, sink, { pacing: { messages: 1000, seconds: 1 } });
      const paced = await createMailbox(w, w.user, sink, { pacing: { messages: 1, seconds: 1 } });
      // In flight across both processes, as the database counts it, sampled from before the first
      // mail is queued until the last is sent: never more than the places.
      let mostInFlight = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const f = await w.server.services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM emails WHERE mailbox_id = $1 AND status = 'sending'", [fast]);
          mostInFlight = Math.max(mostInFlight, f.rows[0]!.n);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      // Batches as a mailing hands them over, while the drains already run.
      const fastIds: string[] = [];
      for (let b = 0; b < 4; b++) fastIds.push(...(await queueMailing(fast, 100, 'two-fast', b * 100)));
      const pacedIds = await queueMailing(paced, 6, 'two-paced');
      const all = [...fastIds, ...pacedIds];
      try {
        await eventually(async () => {
          const r = await w.server.services.db.query("SELECT 1 FROM emails WHERE id = ANY($1::uuid[]) AND status <> 'sent'", [all]);
          expect(r.rowCount).toBe(0);
        }, { timeoutMs: 60_000, intervalMs: 100 });
      } finally {
        sampling = false;
        await sampler;
      }
      expect(mostInFlight).toBeGreaterThan(0);
      expect(mostInFlight).toBeLessThanOrEqual(w.server.services.config.sending.unpacedParallel);
      const got = sink.messages.filter((m) => all.includes(idOf(m))).map(idOf);
      expect(got.sort()).toEqual([...all].sort());
      const times = sink.messages.filter((m) => pacedIds.includes(idOf(m))).map((m) => m.receivedAt).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    } finally {
      await second.stop();
    }
  }, 120_000);

  it('a card send goes out while a mailing batch for the same mailbox is still being written', async () => {
    const mb = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
    // A resolving mailing's batch transaction, held open after its mails are inserted (its rows
    // reference the mailbox, so PostgreSQL holds a key-share lock on the mailbox row meanwhile).
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let writing!: () => void;
    const written = new Promise<void>((r) => (writing = r));
    const batch = queueMailing(mb, 50, 'held', 0, async () => {
      writing();
      await gate;
    });
    await written;
    try {
      // Before: the send's plan and the drain's claim locked the mailbox FOR UPDATE and waited
      // for the whole batch transaction (a big mailing resolving nearly stopped the mailbox).
      const card = await sendEmail(w, w.user, { mailboxId: mb, subject: 'While resolving', html: '<p>now</p>', to: ['card2@client.example'] });
      await eventually(() => expect(sink.messages.some((m) => idOf(m) === card)).toBe(true), { timeoutMs: 10_000, intervalMs: 50 });
    } finally {
      release();
    }
    const held = await batch;
    await eventually(() => expect(sink.messages.filter((m) => held.includes(idOf(m))).length).toBe(50), { timeoutMs: 20_000, intervalMs: 50 });
  });
});
