/**
 * Pacing by the database's clock, and reservations given back (issue 6 §3).
 */
import { type World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, sendEmail, waitForStatus, emailIdOf, startWorldWithSink, stopWorldWithSink } from '../support/send-helpers.js';
import { startChildServer, type ChildServer } from './child/child-server.js';
import { queueMails } from './queue-helpers.js';

let w: World;
let sink: SmtpSink;
beforeAll(async () => ({ w, sink } = await startWorldWithSink()));
afterAll(() => stopWorldWithSink(w, sink));
const idOf = emailIdOf;

describe('pacing', () => {
  it('two processes whose clocks disagree by a minute still keep a 1-per-second mailbox one second apart', async () => {
    // This process's clock is right; the child's runs 60 s ahead (its Date, hence its scheduler).
    let skewed: ChildServer | null = null;
    try {
      skewed = await startChildServer(w.db, w.kommo.url, {}, { clockOffsetMs: 60_000 });
      const mb = await createMailbox(w, w.user, sink, { pacing: { messages: 1, seconds: 1 } });
      const ids = await queueMails(w, mb, 8, 400_000);
      await eventually(async () => {
        const r = await w.server.services.db.query("SELECT 1 FROM emails WHERE id = ANY($1::uuid[]) AND status <> 'sent'", [ids]);
        expect(r.rowCount).toBe(0);
      }, { timeoutMs: 60_000, intervalMs: 100 });
      const got = sink.messages.filter((m) => ids.includes(idOf(m)));
      expect(got.map(idOf).sort()).toEqual([...ids].sort());
      // Measured at the SMTP server, whose clock is this process's.
      const times = got.map((m) => m.receivedAt).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
      // The skewed process did take part (it wakes first for every slot, by its clock).
      const owners = await w.server.services.db.query<{ instance: string }>(
        "SELECT DISTINCT data->>'instance' AS instance FROM email_events WHERE email_id = ANY($1::uuid[]) AND type = 'sending'",
        [ids],
      );
      expect(owners.rows.map((r) => r.instance)).toContainEqual(expect.not.stringMatching(w.server.services.queue.instance.id));
    } finally {
      await skewed?.stop();
    }
  }, 120_000);

  it('cancelling 1,000 queued mails gives their slots back: the next mail leaves at once', async () => {
    const mb = await createMailbox(w, w.user, sink, { pacing: { messages: 1, seconds: 1 } });
    const ids = await queueMails(w, mb, 1000, 500_000);
    // The last of them is reserved some 1,000 seconds ahead.
    const last = (await w.api(w.user).get(`/api/emails/${ids.at(-1)}`)).body;
    expect(Date.parse(last.scheduledAt) - Date.now()).toBeGreaterThan(900_000);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          const res = await w.api(w.user).post(`/api/emails/${id}/cancel`);
          // A few leave while we cancel: those answer 409.
          expect([200, 409]).toContain(res.status);
        }
      }),
    );
    const fresh = await sendEmail(w, w.user, { mailboxId: mb, subject: 'after the cancel', html: '<p>x</p>', to: ['next@client.example'] });
    const view = (await w.api(w.user).get(`/api/emails/${fresh}`)).body;
    // Its slot is now (at most one spacing on), not after the cancelled reservations.
    expect(Date.parse(view.scheduledAt) - Date.parse(view.createdAt)).toBeLessThanOrEqual(1000);
    await waitForStatus(w, w.user, fresh, 'sent', 15_000);
  }, 180_000);
});
