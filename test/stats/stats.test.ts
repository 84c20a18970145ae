/**
 * GET /api/stats/series and /api/stats/breakdown over the known set of mails of stats-fixture.ts
 * (a user's two delivered mails and a failed one, an administrator's one-mail mailing; human and
 * machine opens and clicks at stated times), so every bucket's count is known.
 */
import type { StatsBreakdown, StatsSeries } from '../../shared/schemas/stats.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { startWorld, type World } from '../support/world.js';
import { seedStats, ZERO as zero } from './stats-fixture.js';

let w: World;
let sink: SmtpSink;
let userMailbox: string;
let adminMailbox: string;
let templateId: string;
let mailingId: string;

beforeAll(async () => {
  w = await startWorld();
  sink = await startSmtpSink();
  ({ userMailbox, adminMailbox, templateId, mailingId } = await seedStats(w, sink));
}, 90_000);

afterAll(async () => {
  await sink.close();
  await w.stop();
});

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
