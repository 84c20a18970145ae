/**
 * GET /api/stats/series and /api/stats/breakdown over a known set of mails: a user's two
 * delivered mails and a failed one (template "Offer", Maria's mailbox), and an administrator's
 * mailing of one mail (no template, the admin's mailbox). Hits come through the tracking service
 * at stated times (human and machine opens, a human click and a scanner's), sends are placed at
 * stated times, so every bucket's count is known.
 */
import type { StatsBreakdown, StatsSeries } from '../../shared/schemas/stats.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { SINK_FAILURES, startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { startWorld, type World } from '../support/world.js';
import { clickAt, clickPaths, createLink, deliver, pixelPath, settledTracking, UA } from '../tracking/tracking-helpers.js';

let w: World;
let sink: SmtpSink;
let userMailbox: string;
let adminMailbox: string;
let templateId: string;
let mailingId: string;

const at = (iso: string) => new Date(iso);
const db = () => w.server.services.db;
const open = (html: string, when: string, ua: string, ip = '203.0.113.9') =>
  w.server.services.tracking.open(pixelPath(html).replace('/t/o/', ''), { userAgent: ua, ip, method: 'GET', at: at(when) });

beforeAll(async () => {
  w = await startWorld();
  sink = await startSmtpSink();
  userMailbox = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  adminMailbox = await createMailbox(w, w.admin, sink, { pacing: { messages: 100, seconds: 1 } });
  const link = await createLink(w, { name: 'Offer', redirectUrl: 'https://acme.example/offer' });
  templateId = await createTemplate(w, w.user, { name: 'Offer', subject: 'Offer', html: `<html><body><p><a href="{triggerlink:${link.id}}">Read</a></p></body></html>` });

  // U1: delivered 2026-11-20 10:05Z; a scanner and Apple's prefetch at once, the reader an hour later.
  const u1 = await deliver(w, sink, { mailboxId: userMailbox, templateId, contactIds: [w.crm.contactId] });
  await db().query('UPDATE emails SET sent_at = $2 WHERE id = $1', [u1.id, at('2026-11-20T10:05:00Z')]);
  await open(u1.html, '2026-11-20T10:06:00Z', UA.appleMpp);
  const click = clickPaths(u1.html).find((c) => c.linkId !== 0)!;
  await clickAt(w, click.path, at('2026-11-20T10:07:00Z'), UA.barracuda);
  await open(u1.html, '2026-11-20T11:10:00Z', UA.chrome);
  await clickAt(w, click.path, at('2026-11-20T11:20:00Z'), UA.chrome);
  const t1 = await settledTracking(w, u1.id);
  expect(t1).toMatchObject({ humanOpens: 1, machineOpens: 1, humanClicks: 1, machineClicks: 1 });

  // U2: delivered 2026-11-21 09:00Z, opened by its reader at 09:30Z.
  const u2 = await deliver(w, sink, { mailboxId: userMailbox, templateId, contactIds: [w.crm.contactId] });
  await db().query('UPDATE emails SET sent_at = $2 WHERE id = $1', [u2.id, at('2026-11-21T09:00:00Z')]);
  await open(u2.html, '2026-11-21T09:30:00Z', UA.safari);

  // U3: refused as spam; it failed at 2026-11-21 09:45Z.
  sink.failNext(1, SINK_FAILURES.spam);
  const u3 = await sendEmail(w, w.user, { mailboxId: userMailbox, templateId, contactIds: [w.crm.contactId] });
  await waitForStatus(w, w.user, u3, 'failed');
  await db().query('UPDATE emails SET updated_at = $2 WHERE id = $1', [u3, at('2026-11-21T09:45:00Z')]);

  // A1: the administrator's mailing "Spring sale", delivered 2026-11-21 12:00Z, fetched by Gmail's proxy a minute later.
  const res = await w.api(w.admin).post('/api/mailings').send({ entityType: 'leads', mailboxId: adminMailbox, subject: 'Spring sale', html: '<p>Sale</p>', ids: [w.crm.leadId] });
  expect(res.status).toBe(202);
  mailingId = res.body.id;
  const a1 = await eventually(async () => {
    const r = await db().query<{ email_id: string }>('SELECT email_id FROM mailing_recipients WHERE mailing_id = $1 AND email_id IS NOT NULL', [mailingId]);
    expect(r.rows).toHaveLength(1);
    return r.rows[0]!.email_id;
  }, { timeoutMs: 15_000 });
  await waitForStatus(w, w.admin, a1, 'sent');
  const a1Html = (await eventually(() => {
    const m = sink.messages.find((x) => x.parsed.headers.get('x-leadmail-email-id') === a1);
    expect(m).toBeDefined();
    return m!;
  })).parsed.html as string;
  await db().query('UPDATE emails SET sent_at = $2 WHERE id = $1', [a1, at('2026-11-21T12:00:00Z')]);
  await open(a1Html, '2026-11-21T12:01:00Z', UA.gmailProxy, '66.249.84.1');
}, 90_000);

afterAll(async () => {
  await sink.close();
  await w.stop();
});

const zero = { sent: 0, failed: 0, humanOpens: 0, machineOpens: 0, humanClicks: 0, machineClicks: 0 };
const PERIOD = { since: '2026-11-20T00:00:00Z', until: '2026-11-22T00:00:00Z' };

const series = async (who: World['user'], query: Record<string, string>): Promise<StatsSeries> => {
  const res = await w.api(who).get('/api/stats/series').query(query);
  expect(res.status).toBe(200);
  return res.body;
};
const breakdown = async (who: World['user'], query: Record<string, string>): Promise<StatsBreakdown> => {
  const res = await w.api(who).get('/api/stats/breakdown').query(query);
  expect(res.status).toBe(200);
  return res.body;
};

it('counts an administrator’s account per day: sends at delivery, the failure when it failed, opens and clicks when they came', async () => {
  const s = await series(w.admin, { ...PERIOD, bucket: 'day' });
  expect(s.points).toEqual([
    { at: '2026-11-20', sent: 1, failed: 0, humanOpens: 1, machineOpens: 1, humanClicks: 1, machineClicks: 1 },
    { at: '2026-11-21', sent: 2, failed: 1, humanOpens: 1, machineOpens: 1, humanClicks: 0, machineClicks: 0 },
  ]);
  expect(s.totals).toEqual({ sent: 3, failed: 1, humanOpens: 2, machineOpens: 2, humanClicks: 1, machineClicks: 1 });
  expect(s).toMatchObject({ bucket: 'day', tz: 'UTC', since: '2026-11-20T00:00:00.000Z', until: '2026-11-22T00:00:00.000Z' });
});

it('draws short periods per hour, every hour present, and follows the reader’s time zone', async () => {
  const s = await series(w.admin, { since: '2026-11-20T09:00:00Z', until: '2026-11-20T13:00:00Z' });
  expect(s.bucket).toBe('hour');
  expect(s.points).toEqual([
    { at: '2026-11-20T09:00', ...zero },
    { at: '2026-11-20T10:00', ...zero, sent: 1, machineOpens: 1, machineClicks: 1 },
    { at: '2026-11-20T11:00', ...zero, humanOpens: 1, humanClicks: 1 },
    { at: '2026-11-20T12:00', ...zero },
  ]);
  // UTC+14: the 20th's mail falls on the 21st, the mailing's on the 22nd.
  const kiritimati = await series(w.admin, { ...PERIOD, bucket: 'day', tz: 'Pacific/Kiritimati' });
  expect(kiritimati.points).toEqual([
    { at: '2026-11-20', ...zero },
    { at: '2026-11-21', sent: 2, failed: 1, humanOpens: 2, machineOpens: 1, humanClicks: 1, machineClicks: 1 },
    { at: '2026-11-22', ...zero, sent: 1, machineOpens: 1 },
  ]);
});

it('filters by template, mailbox and mailing', async () => {
  expect((await series(w.admin, { ...PERIOD, templateId })).totals).toEqual({ sent: 2, failed: 1, humanOpens: 2, machineOpens: 1, humanClicks: 1, machineClicks: 1 });
  expect((await series(w.admin, { ...PERIOD, mailboxId: adminMailbox })).totals).toEqual({ ...zero, sent: 1, machineOpens: 1 });
  expect((await series(w.admin, { ...PERIOD, mailingId })).totals).toEqual({ ...zero, sent: 1, machineOpens: 1 });
  expect((await series(w.admin, { ...PERIOD, mailingId, templateId })).totals).toEqual(zero);
});

it('breaks the counts down per template, mailbox and mailing with their names', async () => {
  const byTemplate = await breakdown(w.admin, { ...PERIOD, by: 'template' });
  expect(byTemplate.rows).toEqual([
    { id: templateId, name: 'Offer', createdAt: null, sent: 2, failed: 1, humanOpens: 2, machineOpens: 1, humanClicks: 1, machineClicks: 1 },
    { id: null, name: null, createdAt: null, ...zero, sent: 1, machineOpens: 1 },
  ]);
  const byMailbox = await breakdown(w.admin, { ...PERIOD, by: 'mailbox' });
  expect(byMailbox.rows.map((r) => [r.id, r.sent, r.failed, r.humanOpens])).toEqual([
    [userMailbox, 2, 1, 2],
    [adminMailbox, 1, 0, 0],
  ]);
  expect(byMailbox.rows[0]!.name).toMatch(/<.+@.+>$/);
  const byMailing = await breakdown(w.admin, { ...PERIOD, by: 'mailing' });
  expect(byMailing.rows).toEqual([{ id: mailingId, name: 'Spring sale', createdAt: expect.any(String), ...zero, sent: 1, machineOpens: 1 }]);
});

it('shows a user only their own mails, an administrator the account’s', async () => {
  const mine = await series(w.user, { ...PERIOD, bucket: 'day' });
  expect(mine.totals).toEqual({ sent: 2, failed: 1, humanOpens: 2, machineOpens: 1, humanClicks: 1, machineClicks: 1 });
  expect((await series(w.user, { ...PERIOD, mailingId })).totals).toEqual(zero);
  expect((await breakdown(w.user, { ...PERIOD, by: 'mailbox' })).rows.map((r) => r.id)).toEqual([userMailbox]);
  expect((await breakdown(w.user, { ...PERIOD, by: 'mailing' })).rows).toEqual([]);
  expect((await breakdown(w.otherUser, { ...PERIOD, by: 'template' })).rows).toEqual([]);
});

it.each([
  ['/api/stats/series', { since: 'yesterday' }, 'since'],
  ['/api/stats/series', { ...PERIOD, until: '2026-11-19T00:00:00Z' }, 'until'],
  ['/api/stats/series', { since: '2026-09-01T00:00:00Z', until: '2026-11-01T00:00:00Z', bucket: 'hour' }, 'bucket'],
  ['/api/stats/series', { ...PERIOD, bucket: 'week' }, 'bucket'],
  ['/api/stats/series', { since: '2024-01-01T00:00:00Z', until: '2026-11-01T00:00:00Z' }, 'since'],
  ['/api/stats/series', { ...PERIOD, tz: 'Mars/Olympus_Mons' }, 'tz'],
  ['/api/stats/series', { ...PERIOD, templateId: 'offer' }, 'templateId'],
  ['/api/stats/breakdown', { ...PERIOD, by: 'owner' }, 'by'],
  ['/api/stats/breakdown', { ...PERIOD }, 'by'],
  ['/api/stats/breakdown', { by: 'mailbox', mailingId: '42' }, 'mailingId'],
])('%s refuses %j naming %s', async (path, query, field) => {
  const res = await w.api(w.admin).get(path).query(query);
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION');
  expect(res.body.error.message).toContain(field);
});
