/**
 * A process killed between two claims of a mailbox's drain leaves due mail and no job at all:
 * Agenda cleared the running drain's next run when it started it, and nothing is `sending`, so
 * neither the takeover of dead sends nor the overdue sweep (after `deadAfterMs`) sees it soon.
 * The next server to start must wake the mailbox at once (CI's crash test once waited a minute).
 */
import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, emailIdOf, sendEmail } from '../support/send-helpers.js';
import { useWorldAndSink } from '../support/use-world.js';
import { DRAIN_JOB } from '../../server/modules/emails/send-schedule.js';

// Heartbeat sweeps far beyond the test: only the start-up wake can send these mails in time.
const SLOW_SWEEPS = { INSTANCE_DEAD_AFTER_MS: '600000' };

let w: World;
let sink: SmtpSink;
useWorldAndSink({ env: SLOW_SWEEPS }, (x) => ({ w, sink } = x));

describe('a drain lost with its process', () => {
  it('is woken by the next server that starts, not after the dead-peer timeout', async () => {
    const db = w.server.services.db;
    const mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
    // The state a kill between two claims leaves: due mail, no drain scheduled. A paused mailbox
    // queues without a drain; un-pausing it behind the service's back schedules none either.
    await db.query('UPDATE mailboxes SET paused = true WHERE id = $1', [mailboxId]);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await sendEmail(w, w.user, { mailboxId, subject: `lost drain ${i}`, html: '<p>x</p>', to: [`lost${i}@client.example`] }));
    await db.query('UPDATE mailboxes SET paused = false WHERE id = $1', [mailboxId]);
    const pendingDrains = await db.query(`SELECT 1 FROM agenda_jobs WHERE name = $1 AND data->>'mailboxId' = $2 AND next_run_at IS NOT NULL`, [DRAIN_JOB, mailboxId]);
    expect(pendingDrains.rowCount).toBe(0);
    const queued = await db.query("SELECT 1 FROM emails WHERE id = ANY($1::uuid[]) AND status = 'queued'", [ids]);
    expect(queued.rowCount).toBe(3);

    const peer = await w.startPeer(SLOW_SWEEPS);
    try {
      await eventually(async () => {
        const sent = await db.query("SELECT 1 FROM emails WHERE id = ANY($1::uuid[]) AND status = 'sent'", [ids]);
        expect(sent.rowCount).toBe(3);
      }, { timeoutMs: 20_000, intervalMs: 100 });
      expect(sink.messages.map(emailIdOf).filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    } finally {
      await peer.stop();
    }
  });
});
