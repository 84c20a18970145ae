/**
 * A mailing's mails carry its id (emails.mailing_id, given through the bulk-enqueue door), so the
 * mailings module holds, releases and reads a whole mailing by that id, not by shipping its mail
 * ids: only that mailing's mails are touched, never another's in the same mailbox or account.
 */
import crypto from 'node:crypto';
import { ACCOUNT_ID, type World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, queueBulk, startWorldWithSink, stopWorldWithSink } from '../support/send-helpers.js';
import { holdEmails, releaseEmails } from '../../server/modules/emails/bulk-enqueue.js';
import { stateCounts, waitingOf } from '../../server/modules/emails/mail-reads.js';
import { up } from '../../server/infra/db/migrations/20261130039000-email-mailing-id.js';

let w: World;
let sink: SmtpSink;
beforeAll(async () => ({ w, sink } = await startWorldWithSink()));
afterAll(() => stopWorldWithSink(w, sink));

// Not before an hour from now: every mail stays queued while the test looks.
const queue = (mailboxId: string, mailingId: string, n: number): Promise<string[]> =>
  queueBulk(w, mailboxId, n, { tag: 'set', entityBase: 710_000, batch: { earliest: new Date(Date.now() + 3_600_000), mailingId } });

describe('a mailing asked by its id', () => {
  it('hold, release and the reads act on that mailing’s mails only', async () => {
    const db = w.server.services.db;
    const mb = await createMailbox(w, w.user, sink, { pacing: { messages: 10, seconds: 1 } });
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    const aIds = await queue(mb, a, 5);
    await queue(mb, b, 3);
    const counts = async (mailingId: string) => Object.fromEntries(await stateCounts(db, { accountId: ACCOUNT_ID, mailingId }));
    expect(await counts(a)).toEqual({ queued: 5 });

    // Another account asking by the same id touches nothing.
    expect(await holdEmails(db, ACCOUNT_ID + 1, { mailingId: a }, 'MAILING_PAUSED')).toBe(0);
    expect(await holdEmails(db, ACCOUNT_ID, { mailingId: a }, 'MAILING_PAUSED')).toBe(5);
    expect(await counts(a)).toEqual({ paused: 5 });
    expect(await counts(b)).toEqual({ queued: 3 });
    expect(await waitingOf(db, { accountId: ACCOUNT_ID, mailingId: a })).toEqual(new Set(aIds));

    expect(await releaseEmails(db, w.server.services.queue, ACCOUNT_ID, { mailingId: a })).toBe(5);
    expect(await counts(a)).toEqual({ queued: 5 });
    expect(await holdEmails(db, ACCOUNT_ID, { mailingId: b }, 'MAILING_CANCELLED')).toBe(3);
    expect(await counts(b)).toEqual({ cancelled: 3 });
    expect(await counts(a)).toEqual({ queued: 5 });
    await holdEmails(db, ACCOUNT_ID, { mailingId: a }, 'MAILING_CANCELLED');
  });
});

describe('migration 20261130039000', () => {
  it('gives the mails of mailings made before it their mailing’s id, and single mails none', async () => {
    const db = w.server.services.db;
    const mb = await createMailbox(w, w.user, sink, { pacing: { messages: 10, seconds: 1 } });
    const mailing = crypto.randomUUID();
    const [inMailing, single] = await queue(mb, mailing, 2);
    // As before the column: a mailing row, its recipient rows, and mails that do not carry its id.
    await db.query(
      `INSERT INTO mailings (id, account_id, user_id, entity_type, entity_ids, recipients, status, subject, resolved_count)
       VALUES ($1, $2, $3, 'leads', '{710000}', '{"mode":"main","onePerEntity":false}', 'queued', 'Old', 1)`,
      [mailing, ACCOUNT_ID, w.user.userId],
    );
    await db.query(
      `INSERT INTO mailing_recipients (mailing_id, account_id, entity_type, entity_id, email, status, email_id) VALUES ($1, $2, 'leads', 710000, 'set-0@client.example', 'queued', $3)`,
      [mailing, ACCOUNT_ID, inMailing],
    );
    await db.query('UPDATE emails SET mailing_id = NULL WHERE id = ANY($1::uuid[])', [[inMailing, single]]);
    const backfill = up.split(';').map((x) => x.trim()).find((x) => x.startsWith('UPDATE'))!;
    await db.query(backfill);
    const r = await db.query<{ id: string; mailing_id: string | null }>('SELECT id, mailing_id FROM emails WHERE id = ANY($1::uuid[])', [[inMailing, single]]);
    expect(Object.fromEntries(r.rows.map((x) => [x.id, x.mailing_id]))).toEqual({ [inMailing!]: mailing, [single!]: null });
    await holdEmails(db, ACCOUNT_ID, [inMailing!, single!], 'MAILING_CANCELLED');
  });
});
