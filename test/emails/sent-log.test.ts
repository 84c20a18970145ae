/**
 * Group commit of `sent` outcomes (issue 7 §2; server/modules/emails/sent-log.ts): the 250s a
 * drain of a mailbox without a pace limit collects while a write is under way are recorded in
 * ONE statement, each resolving only after it committed, and only a claim still ours (status,
 * owner instance, attempt) is finished — a claim taken over is left as it is.
 *
 * The world's queue is stopped, so the mails stay as this test puts them.
 */
import type { Db } from '../../server/infra/db/db.js';
import { createSentLog } from '../../server/modules/emails/sent-log.js';
import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, startWorldWithSink, stopWorldWithSink } from '../support/send-helpers.js';
import { queueMails } from './queue-helpers.js';

let w: World;
let sink: SmtpSink;
beforeAll(async () => {
  ({ w, sink } = await startWorldWithSink());
  await w.server.services.queue.stop();
});
afterAll(() => stopWorldWithSink(w, sink));

it('records the outcomes that arrive together in one statement, and only claims still ours', async () => {
  const db = w.server.services.db;
  const instanceId = w.server.services.queue.instance.id;
  const mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 1000, seconds: 1 } });
  const ids = await queueMails(w, mailboxId, 4, 300_000);
  // Claimed by this process, first attempt (as the drain's claim leaves them).
  await db.query("UPDATE emails SET status = 'sending', owner_instance = $2, attempts = 1 WHERE id = ANY($1::uuid[])", [ids, instanceId]);

  let statements = 0;
  const counted = { query: (...args: unknown[]) => (statements++, (db.query as (...a: unknown[]) => unknown)(...args)) } as unknown as Db;
  const log = createSentLog(counted, instanceId);
  const data = (i: number) => JSON.stringify({ response: `250 OK ${i}`, accepted: [`r${i}@client.example`] });
  const results = await Promise.all([
    ...ids.slice(0, 3).map((id, i) => log.add({ id, attempt: 1, response: `250 OK ${i}`, data: data(i) })),
    // The last one's claim is no longer this attempt (taken over and retried): not ours to finish.
    log.add({ id: ids[3]!, attempt: 2, response: '250 OK late', data: data(3) }),
  ]);

  expect(statements).toBe(1);
  expect(results.slice(0, 3).every((r) => r !== null && !(r instanceof Error) && r.sentAt instanceof Date)).toBe(true);
  expect(results[3]).toBeNull();
  const rows = await db.query<{ id: string; status: string; smtp_response: string | null; owner_instance: string | null; sent: number }>(
    `SELECT e.id, e.status, e.smtp_response, e.owner_instance,
       (SELECT count(*)::int FROM email_events v WHERE v.email_id = e.id AND v.type = 'sent') AS sent
     FROM emails e WHERE e.id = ANY($1::uuid[])`,
    [ids],
  );
  const byId = new Map(rows.rows.map((r) => [r.id, r]));
  ids.slice(0, 3).forEach((id, i) => {
    expect(byId.get(id)).toMatchObject({ status: 'sent', smtp_response: `250 OK ${i}`, owner_instance: null, sent: 1 });
  });
  expect(byId.get(ids[3]!)).toMatchObject({ status: 'sending', owner_instance: instanceId, sent: 0 });
  const event = await db.query<{ data: { response: string; accepted: string[] } }>("SELECT data FROM email_events WHERE email_id = $1 AND type = 'sent'", [ids[1]]);
  expect(event.rows[0]!.data).toMatchObject({ response: '250 OK 1', accepted: ['r1@client.example'] });
});

it('with a refill, records the outcomes and claims their successors in one transaction, started only once it committed', async () => {
  const db = w.server.services.db;
  const instanceId = w.server.services.queue.instance.id;
  const mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 1000, seconds: 1 } });
  const [a, b, c, d] = await queueMails(w, mailboxId, 4, 300_000);
  await db.query("UPDATE emails SET status = 'sending', owner_instance = $2, attempts = 1 WHERE id = ANY($1::uuid[])", [[a, b], instanceId]);

  const seen: string[] = [];
  const statusOf = async (id: string) => (await db.query<{ status: string }>('SELECT status FROM emails WHERE id = $1', [id])).rows[0]!.status;
  let started: string[] = [];
  let failNext = false;
  let watch = a!;
  const log = createSentLog<string[]>(db, instanceId, {
    active: () => true,
    lock: async (tx) => {
      seen.push('lock');
      await tx.query('SELECT id FROM mailboxes WHERE id = $1 FOR UPDATE', [mailboxId]);
    },
    claim: async (tx) => {
      // The outcomes are written in this transaction already, not yet committed for anyone else.
      const inside = (await tx.query<{ status: string }>('SELECT status FROM emails WHERE id = $1', [watch])).rows[0]!.status;
      seen.push(`claim: ${inside} here, ${await statusOf(watch)} outside`);
      if (failNext) throw new Error('claim failed');
      const r = await tx.query<{ id: string }>(
        "UPDATE emails SET status = 'sending', owner_instance = $2, attempts = attempts + 1 WHERE id = ANY($1::uuid[]) AND status = 'queued' RETURNING id",
        [[c, d], instanceId],
      );
      return r.rows.map((x) => x.id).sort();
    },
    committed: (ids) => {
      started = ids;
      seen.push('committed');
    },
    rolledBack: () => seen.push('rolled back'),
  });

  const [ra, rb] = await Promise.all([a!, b!].map((id) => log.add({ id, attempt: 1, response: '250 OK', data: '{}' })));
  expect([ra, rb].every((r) => r !== null && !(r instanceof Error))).toBe(true);
  expect(seen).toEqual(['lock', 'claim: sent here, sending outside', 'committed']);
  expect(started).toEqual([c, d].sort());
  expect(await Promise.all([a!, b!, c!, d!].map(statusOf))).toEqual(['sent', 'sent', 'sending', 'sending']);

  // A claim that fails rolls its transaction back: the outcomes are then written alone, and nothing is claimed.
  failNext = true;
  watch = c!;
  seen.length = 0;
  const rc = await log.add({ id: c!, attempt: 1, response: '250 OK', data: '{}' });
  expect(rc).not.toBeNull();
  expect(rc).not.toBeInstanceOf(Error);
  expect(seen).toEqual(['lock', 'claim: sent here, sending outside', 'rolled back']);
  expect(await statusOf(c!)).toBe('sent');
});
