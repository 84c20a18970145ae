/**
 * A server process SIGKILLed in the middle of a send (issue 6 §3): real child processes on the
 * test PostgreSQL, a real SMTP server that holds one message's final reply so the kill lands
 * while that mail is `sending`. After the restart every mail is delivered exactly once or shown
 * `unknown`, nothing is resent, and the queue moves again within seconds (before: a 20-minute
 * lease stalled the mailbox and the interrupted mail was later marked failed).
 *
 * The in-process server of the world only serves the API and queues mail (its own queue is
 * stopped): the child processes do all the sending. Agenda's job locks are left at their
 * production length, so what un-stalls the mailbox is the heartbeat, not a lock expiring.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { startWorld, type World } from '../support/world.js';
import { eventually } from '../support/eventually.js';
import { countByMessageId, imapUser, appendRaw } from '../support/imap-client.js';
import { mailboxPayload } from '../support/mailbox-payload.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { queueMails } from './queue-helpers.js';
import { startChildServer, type ChildServer } from './child/child-server.js';
import { UNPACED_PARALLEL } from '../../server/modules/emails/send-email.job.js';

const CHILD_ENV = { INSTANCE_HEARTBEAT_MS: '500', INSTANCE_DEAD_AFTER_MS: '2500', QUEUE_LOCK_LIFETIME_MS: '300000' };

/** An SMTP server that records X-Leadmail-Email-Id of each message and can hold one reply. */
interface HoldingSink {
  port: number;
  received: string[];
  /** Hold the final reply to the next message (and to every message after it until release); resolves with its email id once it arrived. */
  holdNext(): Promise<string>;
  release(): void;
  /** Also file each received message in this Dovecot user's Sent, as Gmail does. */
  fileInSentOf: string | null;
  close(): Promise<void>;
}

async function startHoldingSink(): Promise<HoldingSink> {
  let hold: { arrived: (id: string) => void; reply?: () => void } | null = null;
  const received: string[] = [];
  const heldToo: (() => void)[] = [];
  let filing: Promise<void> = Promise.resolve();
  const sink: HoldingSink = {
    port: 0,
    received,
    fileInSentOf: null,
    holdNext: () => new Promise<string>((resolve) => (hold = { arrived: resolve })),
    release: () => {
      hold?.reply?.();
      for (const r of heldToo.splice(0)) r();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 100,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then(async (parsed) => {
          const id = parsed.headers.get('x-leadmail-email-id') as string;
          // The server has the whole message: it is delivered, whatever the client hears next.
          received.push(id);
          if (sink.fileInSentOf) {
            // One APPEND at a time, as a provider files its copies: with many messages in flight,
            // a connection each would run into Dovecot's connections-per-user limit.
            const user = sink.fileInSentOf;
            const filed = filing.then(async () => {
              await appendRaw(user, 'Sent', raw);
            });
            filing = filed.catch(() => {});
            await filed;
          }
          const h = hold;
          if (h && !h.reply) {
            await new Promise<void>((r) => {
              h.reply = r;
              h.arrived(id);
            });
            hold = null;
          } else if (h?.reply) {
            // While one reply is held, every other message in flight waits too: the queue cannot
            // drain on the other pooled connections before the kill lands (a slow, loaded machine).
            await new Promise<void>((r) => heldToo.push(r));
          }
          callback(null, 'OK queued');
        });
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  sink.port = (server.server.address() as AddressInfo).port;
  return sink;
}

let w: World;
let sink: HoldingSink;
const children: ChildServer[] = [];
beforeAll(async () => {
  w = await startWorld();
  // The world's server keeps its API; the children do the sending.
  await w.server.services.queue.stop();
  sink = await startHoldingSink();
});
const running = (c: ChildServer): boolean => c.proc.exitCode === null && c.proc.signalCode === null;
afterEach(async () => {
  // Each test starts from no sender at all.
  for (const c of children.splice(0)) if (running(c)) await c.stop();
});
afterAll(async () => {
  for (const c of children) if (running(c)) await c.kill();
  await sink.close();
  await w.stop();
});

async function child(): Promise<ChildServer> {
  const c = await startChildServer(w.db, w.kommo.url, CHILD_ENV);
  children.push(c);
  return c;
}

async function mailbox(opts: { imapUser?: string } = {}): Promise<string> {
  const sinkLike = { host: '127.0.0.1', port: sink.port } as SmtpSink;
  const body = mailboxPayload(sinkLike, { pacing: { messages: 1000, seconds: 1 }, imapUser: opts.imapUser ?? null });
  const res = await w.api(w.user).post('/api/mailboxes').send({ ...body, smtp: { host: '127.0.0.1', port: sink.port, security: 'none', auth: false } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function statuses(ids: string[]): Promise<Map<string, string>> {
  const r = await w.server.services.db.query<{ id: string; status: string }>('SELECT id, status FROM emails WHERE id = ANY($1::uuid[])', [ids]);
  return new Map(r.rows.map((x) => [x.id, x.status]));
}

async function eventTypes(id: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return (await w.api(w.user).get(`/api/emails/${id}`)).body.events;
}

describe('a server killed during a send', () => {
  it('1,000 queued, SIGKILL mid-send, restart: each mail delivered once or shown unknown, and the queue moves again', async () => {
    const mailboxId = await mailbox();
    const ids = await queueMails(w, mailboxId, 1000, 200_000);
    // The sender starts once all are queued: a drain faster than the queueing would otherwise
    // have delivered nearly everything before the kill.
    const first = await child();
    // Kill while a mail is in the SMTP transaction: its message is at the server, the 250 not yet back.
    await eventually(() => expect(sink.received.length).toBeGreaterThanOrEqual(300), { timeoutMs: 60_000, intervalMs: 50 });
    const inFlight = await sink.holdNext();
    await first.kill();
    sink.release();
    const deliveredBeforeRestart = sink.received.length;

    await child();
    // The queue moves again: new deliveries after the restart (the old lease would wait 20 minutes).
    await eventually(() => expect(sink.received.length).toBeGreaterThan(deliveredBeforeRestart), { timeoutMs: 20_000, intervalMs: 50 });
    // Every mail reaches a final state; none is left queued or sending.
    const final = await eventually(async () => {
      const s = await statuses(ids);
      expect([...s.values()].filter((x) => x !== 'sent' && x !== 'unknown')).toEqual([]);
      return s;
    }, { timeoutMs: 120_000, intervalMs: 200 });

    // The mail in flight at the kill was not resent, and says why.
    expect(final.get(inFlight)).toBe('unknown');
    const history = await eventTypes(inFlight);
    expect(history.map((e) => e.type)).toEqual(['queued', 'sending', 'unknown']);
    expect(String(history[2]!.data.reason)).toMatch(/stopped while sending.*may or may not have been delivered.*not resent/);
    // Exactly once: nothing is queued any more, so no later send is possible; count now.
    const count = new Map<string, number>();
    for (const id of sink.received) count.set(id, (count.get(id) ?? 0) + 1);
    for (const id of ids) {
      // sent: exactly one copy at the server; unknown: at most one (never resent).
      if (final.get(id) === 'sent') expect([id, count.get(id)]).toEqual([id, 1]);
      else expect(count.get(id) ?? 0).toBeLessThanOrEqual(1);
    }
    // Only what was in flight at the kill: a mailbox without a pace limit keeps up to
    // UNPACED_PARALLEL messages in flight, and claims no more than it has places for.
    const unknown = [...final.values()].filter((x) => x === 'unknown').length;
    expect(unknown).toBeGreaterThanOrEqual(1);
    expect(unknown).toBeLessThanOrEqual(UNPACED_PARALLEL);
  }, 300_000);

  it('with IMAP, the interrupted mail found in Sent (filed by the provider) is recorded as sent, not unknown', async () => {
    const user = imapUser(2);
    sink.fileInSentOf = user;
    try {
      const first = await child();
      const mailboxId = await mailbox({ imapUser: user });
      const ids = await queueMails(w, mailboxId, 20, 300_000);
      await eventually(() => expect(sink.received.filter((id) => ids.includes(id)).length).toBeGreaterThanOrEqual(5), { timeoutMs: 30_000, intervalMs: 50 });
      const inFlight = await sink.holdNext();
      await first.kill();
      sink.release();
      await child();
      const final = await eventually(async () => {
        const s = await statuses(ids);
        expect([...s.values()].filter((x) => x !== 'sent')).toEqual([]);
        return s;
      }, { timeoutMs: 60_000, intervalMs: 200 });
      expect(final.get(inFlight)).toBe('sent');
      const history = await eventTypes(inFlight);
      expect(history.find((e) => e.type === 'sent')?.data).toEqual(expect.objectContaining({ recovered: true }));
      // The provider's copy is the only one in Sent: recovery searched, it did not append.
      const view = (await w.api(w.user).get(`/api/emails/${inFlight}`)).body;
      expect(await countByMessageId(user, 'Sent', view.messageId)).toBe(1);
      expect(sink.received.filter((id) => id === inFlight)).toHaveLength(1);
    } finally {
      sink.fileInSentOf = null;
    }
  }, 180_000);
});
