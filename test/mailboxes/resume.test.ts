/**
 * A paused mailbox whose check passes again resumes its queue: mail that was due leaves now, and
 * mail planned for later (a mailing's start time, a reminder, a retry's backoff) keeps its time.
 */
import type { SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, sendEmail } from '../support/send-helpers.js';
import { eventually } from '../support/eventually.js';
import type { World } from '../support/world.js';
import { useWorldAndSink, MARIA_SMTP } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
useWorldAndSink({ sink: { auth: MARIA_SMTP } }, (x) => ({ w, sink } = x));

it('resuming sends what was due and keeps the time of mail planned for later', async () => {
  const db = w.server.services.db;
  const mailboxId = await createMailbox(w, w.user, sink);
  // Paused as a 535 pauses it; mail sent meanwhile waits in the queue.
  await db.query("UPDATE mailboxes SET paused = true, paused_reason = 'SMTP authentication failed' WHERE id = $1", [mailboxId]);
  const due = await sendEmail(w, w.user, { mailboxId, contactIds: [w.crm.contactId], subject: 'Due', html: '<p>due</p>' });
  const later = await sendEmail(w, w.user, { mailboxId, contactIds: [w.crm.contactId], subject: 'Later', html: '<p>later</p>' });
  const planned = (await db.query<{ at: Date }>("UPDATE emails SET not_before = now() + interval '1 day' WHERE id = $1 RETURNING not_before AS at", [later])).rows[0]!.at;

  const check = await w.api(w.user).post(`/api/mailboxes/${mailboxId}/check`);
  expect(check.body.status).not.toBe('red');

  await eventually(async () => expect((await w.api(w.user).get(`/api/emails/${due}`)).body.status).toBe('sent'));
  const kept = (await db.query<{ status: string; not_before: Date }>('SELECT status, not_before FROM emails WHERE id = $1', [later])).rows[0]!;
  expect(kept.status).toBe('queued');
  expect(kept.not_before.getTime()).toBe(planned.getTime());
  expect(sink.messages.map((m) => m.parsed.subject)).toEqual(['Due']);
  // It took no place in the sequence: a new mail is not planned behind tomorrow's.
  const next = (await db.query<{ next: Date | null; tomorrow: boolean }>(
    "SELECT next_slot_at AS next, next_slot_at > now() + interval '1 hour' AS tomorrow FROM mailboxes WHERE id = $1",
    [mailboxId],
  )).rows[0]!;
  expect(next.tomorrow).not.toBe(true);
});
