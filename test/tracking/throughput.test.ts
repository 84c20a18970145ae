/**
 * Tracking at speed without losing anything: hits are group-committed (several per transaction,
 * each answered only after its commit), a stopped process writes what it still held, and clicks
 * are decided by a sweep any process runs (SKIP LOCKED), not by one scheduler job per click.
 */
import pg from 'pg';
import type { RunningServer } from '../../server/app/server.js';
import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';
import { clickPaths, createLink, deliver, deliveredMinuteAgo, hit, pixelPath, settledTracking, UA } from './tracking-helpers.js';
import { useWorldAndSink } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
let mailboxId: string;

useWorldAndSink({ env: { TRUST_PROXY: 'loopback' } }, (x) => ({ w, sink } = x));
beforeAll(async () => {
  mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
});

async function mailWithLink(): Promise<{ id: string; pixel: string; click: string; linkId: number }> {
  const link = await createLink(w, { name: `Offer ${Math.random()}`, redirectUrl: 'https://acme.example/offer' });
  const tpl = await createTemplate(w, w.user, { subject: 'Offer', html: `<html><body><a href="{{triggerlink ${link.id}}}">Offer</a></body></html>` });
  const m = await deliver(w, sink, { mailboxId, templateId: tpl, contactIds: [w.crm.contactId] });
  await deliveredMinuteAgo(w, m.id);
  return { id: m.id, pixel: pixelPath(m.html), click: clickPaths(m.html).find((l) => l.linkId === link.id)!.path, linkId: link.id };
}

/** Another server process on the same database. */
const second = (env: Record<string, string>): Promise<RunningServer> => w.startPeer({ TRUST_PROXY: 'loopback', ...env });

async function hitRows(emailId: string): Promise<{ kind: string; tx: string; decided: boolean }[]> {
  const r = await w.server.services.db.query("SELECT kind, xmin::text AS tx, decided_at IS NOT NULL AS decided FROM tracking_hits WHERE email_id = $1", [emailId]);
  return r.rows;
}

it('a burst of concurrent pixel and click hits is recorded in full, several hits per transaction', async () => {
  const m = await mailWithLink();
  const n = 120;
  const answers = await Promise.all([
    ...Array.from({ length: n }, (_, i) => hit(w, m.pixel, UA.chrome, `203.0.113.${i + 1}`).then((r) => r.status)),
    ...Array.from({ length: n }, (_, i) => hit(w, m.click, UA.safari, `198.51.100.${i + 1}`).then((r) => r.status)),
  ]);
  expect(answers.filter((s) => s === 200)).toHaveLength(n);
  expect(answers.filter((s) => s === 302)).toHaveLength(n);
  const rows = await hitRows(m.id);
  expect(rows.filter((r) => r.kind === 'open')).toHaveLength(n);
  expect(rows.filter((r) => r.kind === 'click')).toHaveLength(n);
  // Group commit: the hits share transactions (xmin), each answered after its own one committed.
  expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(2 * n);
  const view = (await w.api(w.user).get(`/api/emails/${m.id}`)).body;
  expect(view.tracking).toMatchObject({ humanOpens: n, machineOpens: 0 });
});

it('clicks are decided by the sweep, with no scheduler job per click', async () => {
  const m = await mailWithLink();
  for (let i = 0; i < 3; i++) await hit(w, m.click, UA.safari, `198.51.100.${200 + i}`).expect(302);
  const t = await settledTracking(w, m.id);
  expect(t.hits).toHaveLength(3);
  expect(t.hits.every((h) => h.kind === 'click' && h.outcome !== 'pending')).toBe(true);
  expect((await w.server.services.db.query("SELECT 1 FROM agenda_jobs WHERE name = 'tracking.decide-click'")).rowCount).toBe(0);
});

it('a process stopped with hits still waiting for their group commit writes them before it ends', async () => {
  const m = await mailWithLink();
  // A commit window far longer than the test: only stop() can have written these.
  const b = await second({ TRACKING_COMMIT_WINDOW_MS: '1000', TRACKING_SWEEP_MS: '60000' });
  const file = m.pixel.replace(/^\/t\/o\//, '');
  const token = m.click.replace(/^\/t\/c\//, '');
  const facts = { userAgent: UA.chrome, ip: '203.0.113.250', method: 'GET' };
  const open = b.services.tracking.open(file, facts);
  const click = b.services.tracking.click(token, facts);
  await b.stop();
  await open;
  expect(await click).toEqual({ kind: 'redirect', url: 'https://acme.example/offer' });
  expect((await hitRows(m.id)).map((r) => r.kind).sort()).toEqual(['click', 'open']);
  // The other process's sweep decides the click the stopped one left pending.
  expect((await settledTracking(w, m.id)).hits.map((h) => [h.kind, h.human])).toEqual(expect.arrayContaining([['click', true], ['open', true]]));
});

it('a click whose deciding process died mid-sweep is decided by another process, never twice', async () => {
  const m = await mailWithLink();
  const b = await second({ TRACKING_SWEEP_MS: '60000' });
  try {
    expect((await hit({ ...w, server: b } as World, m.click, UA.safari, '198.51.100.99')).status).toBe(302);
  } finally {
    await b.stop();
  }
  // A sweeping process that claimed the click and then died: its claim is its open transaction
  // (taken before the settle window ends, so this process's own sweep cannot have decided it yet).
  const dying = new pg.Client({ connectionString: w.db });
  await dying.connect();
  dying.on('error', () => undefined);
  await dying.query('BEGIN');
  const claimed = await dying.query('SELECT id FROM tracking_hits WHERE email_id = $1 AND decided_at IS NULL FOR UPDATE SKIP LOCKED', [m.id]);
  expect(claimed.rowCount).toBe(1);
  await eventually(async () => {
    const due = await w.server.services.db.query('SELECT settle_at <= now() AS due FROM tracking_hits WHERE email_id = $1', [m.id]);
    expect(due.rows[0].due).toBe(true);
  });
  // While it holds the claim, other sweeps pass the click by instead of deciding it a second time.
  await w.server.services.tracking.decideDue();
  expect((await hitRows(m.id)).map((r) => r.decided)).toEqual([false]);
  const pid = (await dying.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  await w.server.services.db.query('SELECT pg_terminate_backend($1)', [pid]);
  const t = await settledTracking(w, m.id);
  expect(t.hits).toEqual([expect.objectContaining({ kind: 'click', human: true, reason: 'human', linkId: m.linkId })]);
  const events = await w.server.services.db.query("SELECT 1 FROM email_events WHERE email_id = $1 AND type = 'clicked'", [m.id]);
  expect(events.rowCount).toBe(1);
});

it('the sweep decides a batch of clicks with a few set-based statements, not several per click, and judges each as alone', async () => {
  const m = await mailWithLink();
  const db = w.server.services.db;
  // 200 clicks of one reader, 200 ms apart, 10–50 s after the send, plus a scanner's twin of one
  // of them 10 ms later: all due for their verdict at the same moment, so one sweep takes them.
  await db.query(
    `INSERT INTO tracking_hits (account_id, email_id, kind, link_id, ip, user_agent, at, settle_at)
     SELECT e.account_id, e.id, 'click', $2::bigint, '198.51.100.7', $3::text, e.sent_at + interval '10 s' + n * interval '200 ms', now() + interval '1 s'
     FROM emails e, generate_series(0, 199) AS n WHERE e.id = $1
     UNION ALL
     SELECT e.account_id, e.id, 'click', $2::bigint, '198.51.100.8', $3::text, e.sent_at + interval '10 s' + 100 * interval '200 ms' + interval '10 ms', now() + interval '1 s'
     FROM emails e WHERE e.id = $1`,
    [m.id, m.linkId, UA.chrome],
  );
  let statements = 0;
  const query = pg.Client.prototype.query;
  // The statements that decide clicks: not the transaction brackets, not an (empty) claim that
  // every sweep tick makes, not the queue's polling.
  const idle = /^\s*(BEGIN|COMMIT|ROLLBACK)|FOR UPDATE SKIP LOCKED|agenda/i;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string } | undefined)?.text ?? '');
    if (!idle.test(text)) statements++;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  let polls = 0;
  try {
    await eventually(
      async () => {
        polls++;
        const r = await db.query('SELECT count(*)::int AS n FROM tracking_hits WHERE email_id = $1 AND decided_at IS NULL', [m.id]);
        expect(r.rows[0].n).toBe(0);
      },
      { timeoutMs: 15_000 },
    );
  } finally {
    pg.Client.prototype.query = query;
  }
  // Per click the old sweep took ~10 (mail, link, neighbours, verdict, counters, open, event, savepoints).
  expect(statements - polls).toBeLessThan(30);
  const t = await settledTracking(w, m.id);
  const verdicts = await db.query("SELECT human, reason, count(*)::int AS n FROM tracking_hits WHERE email_id = $1 GROUP BY 1, 2 ORDER BY 1", [m.id]);
  expect(verdicts.rows).toEqual([{ human: false, reason: 'scanner_pair', n: 2 }, { human: true, reason: 'human', n: 199 }]);
  expect(t).toMatchObject({ humanClicks: 199, machineClicks: 2, humanOpens: 1 });
  const events = await db.query("SELECT count(*)::int AS n FROM email_events WHERE email_id = $1 AND type = 'clicked'", [m.id]);
  expect(events.rows[0].n).toBe(201);
});
