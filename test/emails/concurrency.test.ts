/**
 * One tenant's hostile SMTP server must not stop everyone else's jobs (issue 6 §3): send jobs
 * may hold at most SEND_CONCURRENCY of the queue's QUEUE_CONCURRENCY workers, and a mailbox at
 * most one. Twenty mailboxes on a server that takes the message and never answers the final dot
 * would once have held all twenty workers; a not-opened timer must still run.
 */
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startWorld, type World } from '../support/world.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { queueMails } from './queue-helpers.js';

let w: World;
let sink: SmtpSink;
let hostile: SMTPServer;
let hostilePort: number;
let stalled = 0;
const sockets = new Set<Socket>();
beforeAll(async () => {
  w = await startWorld();
  sink = await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } });
  hostile = new SMTPServer({
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 100,
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      cb(null, { user: auth.username });
    },
    onData(stream) {
      // Takes the whole message, then never answers.
      stream.resume();
      stream.on('end', () => stalled++);
    },
  });
  hostile.on('error', () => {});
  hostile.server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
  hostilePort = (hostile.server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => hostile.close(() => r()));
  await sink.close();
  await w.stop();
});

describe('send concurrency', () => {
  it('twenty mailboxes stalled by a hostile SMTP server hold only the send workers: a not-opened timer still fires', async () => {
    // A mail through a good mailbox, with a not-opened note.
    const good = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
    const note = await w.api(w.admin).post('/api/triggers').send({ name: 'Not opened', action: 'add_note', params: { text: 'not opened: {subject}' } });
    const tpl = await createTemplate(w, w.user, { name: 'Timer', subject: 'Timer mail', html: '<p>x</p>', triggers: { sent: [], opened: [], notOpened: { afterSeconds: 3600, triggerIds: [note.body.id] }, failed: [] } });
    const id = await sendEmail(w, w.user, { mailboxId: good, templateId: tpl, contactIds: [w.crm.contactId] });
    await waitForStatus(w, w.user, id, 'sent');
    const db = w.server.services.db;
    await eventually(async () => {
      const jobs = await db.query("SELECT 1 FROM agenda_jobs WHERE name = 'email.not-opened' AND data->>'emailId' = $1", [id]);
      expect(jobs.rowCount).toBe(1);
    });

    // Another tenant's twenty mailboxes on the hostile server, two mails each.
    const hostileSink = { host: '127.0.0.1', port: hostilePort, settings: () => ({}) } as unknown as SmtpSink;
    const boxes: string[] = [];
    for (let i = 0; i < 20; i++) boxes.push(await createMailbox(w, w.otherUser, hostileSink, { pacing: { messages: 100, seconds: 1 } }));
    for (const [i, mb] of boxes.entries()) await queueMails(w, mb, 2, 600_000 + i * 10);
    // Every send worker is stuck in a DATA phase that never ends…
    const sendLimit = w.server.services.config.sendConcurrency;
    await eventually(() => expect(stalled).toBe(sendLimit), { timeoutMs: 30_000, intervalMs: 50 });
    // …and a mailbox never holds more than one of them.
    const perMailbox = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM emails WHERE mailbox_id = ANY($1::uuid[]) AND status = 'sending' GROUP BY mailbox_id",
      [boxes],
    );
    expect(perMailbox.rows.map((r) => r.n)).toEqual(new Array(sendLimit).fill(1));

    // The hour has passed for the timer (its job made due now): it runs on a worker sends cannot take.
    await db.query("UPDATE emails SET sent_at = now() - interval '2 hours' WHERE id = $1", [id]);
    await db.query("UPDATE agenda_jobs SET next_run_at = now() WHERE name = 'email.not-opened' AND data->>'emailId' = $1", [id]);
    await eventually(() => {
      const notes = w.kommo.sim.notes('acme', { entity_type: 'leads', entity_id: w.crm.leadId }).map((x) => x.params.text);
      expect(notes).toContain('not opened: Timer mail');
    }, { timeoutMs: 20_000, intervalMs: 100 });
    // Still only the send workers are stuck.
    expect(stalled).toBe(sendLimit);
  }, 120_000);
});
