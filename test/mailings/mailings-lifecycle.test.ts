/** Mailings: pause, resume, cancel, a red mailbox, and resolving that survives a restart or a pause. */
import crypto from 'node:crypto';
import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { createMailbox } from '../support/send-helpers.js';
import { useMailingWorld } from './mailing-helpers.js';

const { ctx, seedLeads, createMailing, waitFor, sinkFor, allRecipients, mailIdsOf } = useMailingWorld();
let w: World;
let sink: SmtpSink;
beforeAll(() => ({ w, sink } = ctx));

describe('pause, resume, cancel', () => {
  let paced: string;
  beforeAll(async () => {
    // 20 mails a second: slow enough to stop a mailing half-way.
    paced = await createMailbox(w, w.user, sink, { pacing: { messages: 20, seconds: 1 } });
  });

  it('pause holds every queued mail, resume sends the rest, each address once', async () => {
    const ids = seedLeads('pause', 30);
    const id = await createMailing({ mailboxId: paced, subject: 'Hi {{contact.first_name}}', html: '<p>{{lead.name}}</p>', ids });
    await waitFor(id, (m) => expect(m.counts.sent).toBeGreaterThanOrEqual(3));
    const paused = await w.api(w.user).post(`/api/mailings/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    const held = await waitFor(id, (m) => expect(m.counts).toMatchObject({ queued: 0, sending: 0 }));
    expect(held.counts.paused).toBeGreaterThan(0);
    expect(held.counts.paused + held.counts.sent).toBe(30);
    const emailIds = await mailIdsOf(id);
    expect(sinkFor(emailIds)).toHaveLength(held.counts.sent);

    expect((await w.api(w.user).post(`/api/mailings/${id}/pause`)).status).toBe(409);
    const resumed = await w.api(w.user).post(`/api/mailings/${id}/resume`);
    expect(resumed.status).toBe(200);
    await waitFor(id, (m) => expect(m).toMatchObject({ status: 'done', counts: { sent: 30, paused: 0 } }));
    const rcpts = sinkFor(emailIds).map((m) => m.envelope.rcptTo[0]);
    expect(rcpts).toHaveLength(30);
    expect(new Set(rcpts).size).toBe(30);
  }, 60_000);

  it('cancel stops the rest for good and gives the pacing slots back to the next mail', async () => {
    const ids = seedLeads('cancel', 80);
    const id = await createMailing({ mailboxId: paced, subject: 'Hi', html: '<p>{{lead.name}}</p>', ids });
    await waitFor(id, (m) => expect(m.counts.sent).toBeGreaterThanOrEqual(2));
    const cancelled = await w.api(w.user).post(`/api/mailings/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    const after = await waitFor(id, (m) => expect(m).toMatchObject({ status: 'cancelled', counts: { queued: 0, sending: 0 } }));
    expect(after.counts.cancelled).toBe(80 - after.counts.sent);
    expect((await w.api(w.user).post(`/api/mailings/${id}/resume`)).status).toBe(409);

    // A card send right after is planned at the mailbox's pace, not behind the cancelled mails.
    const one = await w.api(w.user).post('/api/emails').send({ entityType: 'leads', entityId: w.crm.leadId, mailboxId: paced, subject: 'One', html: '<p>one</p>', to: ['one@client.example'] });
    expect(one.status).toBe(202);
    const queued = one.body.events.find((e: { type: string }) => e.type === 'queued');
    // Its slot, taken when it was queued (after ~1.5 s of Kommo reads): ~75 cancelled mails at 50 ms would have put it ≈ 2 s later still.
    expect(new Date(queued.data.scheduledAt).getTime() - new Date(queued.at).getTime()).toBeLessThan(500);
    const emailIds = await mailIdsOf(id);
    expect(sinkFor(emailIds)).toHaveLength(after.counts.sent);
  }, 60_000);
});

describe('a daily cap', () => {
  it('of 20 on a 25-recipient mailing: 20 leave, 5 wait for the rolling window, and the ETA says when', async () => {
    const capped = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 }, dailyCap: 20 });
    const id = await createMailing({ mailboxId: capped, subject: 'Hi', html: '<p>x</p>', ids: seedLeads('cap', 25) });
    const m = await waitFor(id, (x) => expect(x.counts).toMatchObject({ sent: 20, queued: 5, sending: 0 }), 30_000);
    expect(m.status).toBe('sending');
    expect(new Date(m.eta).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(m.ratePerMinute).toBe(2);
    expect(sinkFor(await mailIdsOf(id))).toHaveLength(20);
  });
});

describe('a mailbox turning red', () => {
  it('shows the mailing paused with the server’s reason while its mails wait', async () => {
    const wrong = await createMailbox(w, w.user, sink, { smtpPass: 'wrong-secret', pacing: { messages: 100, seconds: 1 } });
    const id = await createMailing({ mailboxId: wrong, subject: 'Hi', html: '<p>x</p>', ids: seedLeads('red', 3) });
    const m = await waitFor(id, (x) => expect(x.status).toBe('paused'), 20_000);
    expect(m.statusReason).toMatch(/^mailbox "Sales mailbox" is paused: SMTP authentication failed: .*535/);
    expect(m.counts).toMatchObject({ queued: 3, sent: 0 });
  });
});

describe('a send interrupted by a crash', () => {
  it('shows as unknown in the counts, the reasons and the recipient filter', async () => {
    const id = await createMailing({ subject: 'Hi', html: '<p>x</p>', ids: seedLeads('unk', 3) });
    await waitFor(id, (x) => expect(x.counts.sent).toBe(3));
    // What the crash sweep (interrupted-sends.ts) records for a send whose process died mid-send.
    const text = 'The server stopped while sending this email; it may or may not have been delivered. It was not resent automatically.';
    const [one] = (await allRecipients(id)).map((r: { emailId: string }) => r.emailId);
    await w.server.services.db.query("UPDATE emails SET status = 'unknown', error_text = $2 WHERE id = $1", [one, text]);
    const m = await waitFor(id, (x) => expect(x.counts).toMatchObject({ sent: 2, unknown: 1 }));
    expect(m.reasons).toContainEqual({ status: 'unknown', reason: text, count: 1 });
    const filtered = await w.api(w.user).get(`/api/mailings/${id}/recipients?status=unknown`);
    expect(filtered.status).toBe(200);
    expect(filtered.body.items).toMatchObject([{ emailId: one, status: 'unknown', reason: text }]);
  });
});

describe('crash safety of resolving', () => {
  it('a mailing left resolving (its job lost) is resumed when the server starts', async () => {
    const ids = seedLeads('restart', 20);
    await w.server.services.queue.stop();
    const id = await createMailing({ subject: 'Hi', html: '<p>{{lead.name}}</p>', ids });
    // The process dies before the job ran, and the job is lost with it.
    await w.server.services.db.query("DELETE FROM agenda_jobs WHERE name = 'mailing.resolve'");
    await w.restart();
    await waitFor(id, (m) => expect(m).toMatchObject({ status: 'done', counts: { sent: 20 } }));
    const recipients = await allRecipients(id);
    expect(recipients).toHaveLength(20);
  }, 60_000);

  it('a resolve lease dies with its process: a dead holder does not hold the mailing until its lease runs out', async () => {
    const ids = seedLeads('dead-holder', 20);
    await w.server.services.queue.stop();
    const id = await createMailing({ subject: 'Hi', html: '<p>{{lead.name}}</p>', ids });
    await w.server.services.db.query("DELETE FROM agenda_jobs WHERE name = 'mailing.resolve'");
    // A process took the lease for an hour and died: its heartbeat stopped long ago.
    const dead = crypto.randomUUID();
    await w.server.services.db.query("INSERT INTO server_instances (id, heartbeat_at) VALUES ($1, now() - interval '1 hour')", [dead]);
    await w.server.services.db.query("UPDATE mailings SET resolve_lease_owner = $2, resolve_lease_until = now() + interval '1 hour' WHERE id = $1", [id, dead]);
    await w.restart();
    await waitFor(id, (m) => expect(m).toMatchObject({ status: 'done', counts: { sent: 20 } }));
    expect(await allRecipients(id)).toHaveLength(20);
  }, 60_000);
});

describe('pausing while resolving', () => {
  it('stops between batches and resumes from its cursor: every lead once, none twice', async () => {
    const ids = seedLeads('big', 1500);
    const id = await createMailing({ subject: 'Hi', html: '<p>{{lead.name}}</p>', ids });
    await waitFor(id, (m) => expect(m.resolved).toBeGreaterThanOrEqual(250));
    const paused = await w.api(w.user).post(`/api/mailings/${id}/pause`);
    expect(paused.status).toBe(200);
    const held = await waitFor(id, (m) => expect(m.counts).toMatchObject({ queued: 0, sending: 0 }));
    expect(held.resolved).toBeLessThan(1500);
    expect((await w.api(w.user).post(`/api/mailings/${id}/resume`)).body.status).toBe('resolving');
    await waitFor(id, (m) => expect(m).toMatchObject({ status: 'done', resolved: 1500, counts: { sent: 1500, skipped: 0 } }), 90_000);
    const recipients = await allRecipients(id);
    expect(recipients).toHaveLength(1500);
    expect(new Set(recipients.map((r) => r.entityId)).size).toBe(1500);
    expect(sinkFor(new Set(recipients.map((r) => r.emailId)))).toHaveLength(1500);
  }, 120_000);
});
