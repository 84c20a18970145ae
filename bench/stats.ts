/**
 * The statistics page's two endpoints on an account of 10,000 mails (90 days of sends and
 * failures, ~2 opens and ~0.3 clicks per mail, human and machine, 40 % of the mails in
 * mailings) next to 20,000 mails of another account: the endpoint over HTTP, the read model's
 * query alone, and a hand-written raw SQL count of the same events (the floor), medians of 20.
 * Also which indexes the plans use.
 */
import type { RunningServer } from '../server/app/server.js';
import { statsBreakdown, statsSeries, type StatsScope } from '../server/modules/emails/stats-reads.js';
import { timed } from './timing.js';

const ACCOUNT = 2;
const OTHER = 3;
const RUNS = 20;
const DAY = 86_400_000;

type Sign = (claims: { account_id: number; subdomain: string; user_id: number; is_admin: boolean }) => string;

async function seed(server: RunningServer, account: number, mails: number): Promise<void> {
  const db = server.services.db;
  await db.query('INSERT INTO accounts (id, subdomain) VALUES ($1, $2) ON CONFLICT DO NOTHING', [account, `stats${account}`]);
  // 5 users with a mailbox each, 20 templates, 10 mailings.
  await db.query(
    `INSERT INTO mailboxes (id, account_id, owner_user_id, display_name, from_name, from_address, smtp_host, smtp_port, smtp_security, smtp_auth)
     SELECT gen_random_uuid(), $1, u, 'Box ' || u, 'Box', 'box' || u || '@x.example', '127.0.0.1', 25, 'none', false FROM generate_series(1, 5) u`,
    [account],
  );
  await db.query(`INSERT INTO templates (id, account_id, owner_user_id, name, subject, body_html) SELECT gen_random_uuid(), $1, 1 + t % 5, 'Template ' || t, 's', '<p>x</p>' FROM generate_series(1, 20) t`, [account]);
  await db.query(
    `INSERT INTO mailings (id, account_id, user_id, entity_type, entity_ids, recipients, status, subject)
     SELECT gen_random_uuid(), $1, 1 + m % 5, 'leads', '{1}', '{"mode":"main","onePerEntity":false}', 'queued', 'Mailing ' || m FROM generate_series(1, 10) m`,
    [account],
  );
  await db.query(
    `WITH mb AS (SELECT array_agg(id ORDER BY owner_user_id) a FROM mailboxes WHERE account_id = $1),
          tp AS (SELECT array_agg(id ORDER BY name) a FROM templates WHERE account_id = $1)
     INSERT INTO emails (id, account_id, user_id, mailbox_id, entity_type, entity_id, template_id, status, message_id, to_addresses, subject, body_html, sent_at, created_at, updated_at,
                         human_opens, machine_opens, human_clicks, machine_clicks)
     SELECT gen_random_uuid(), $1, 1 + i % 5, mb.a[1 + i % 5], 'leads', i, tp.a[1 + i % 20], CASE WHEN i % 20 = 0 THEN 'failed' ELSE 'sent' END,
            '<stats-' || $1 || '-' || i || '@bench>', '["r@client.example"]', 's', '<p>x</p>',
            CASE WHEN i % 20 = 0 THEN NULL ELSE now() - (i::double precision / $2) * interval '90 days' END,
            now() - (i::double precision / $2) * interval '90 days', now() - (i::double precision / $2) * interval '90 days', 0, 0, 0, 0
     FROM generate_series(1, $2) i, mb, tp`,
    [account, mails],
  );
  await db.query(
    `WITH m AS (SELECT id, row_number() OVER (ORDER BY id) n FROM mailings WHERE account_id = $1)
     INSERT INTO mailing_recipients (mailing_id, account_id, entity_type, entity_id, email, status, email_id)
     SELECT m.id, $1, 'leads', e.entity_id, 'r@client.example', 'queued', e.id FROM emails e JOIN m ON m.n = 1 + e.entity_id % 10
     WHERE e.account_id = $1 AND e.entity_id % 10 < 4`,
    [account],
  );
  // The mail's mailing, as the bulk-enqueue door stores it (emails.mailing_id).
  await db.query('UPDATE emails e SET mailing_id = r.mailing_id FROM mailing_recipients r WHERE r.email_id = e.id AND e.account_id = $1 AND r.account_id = $1', [account]);
  // Per sent mail: a human open (60 %), a machine open (every one), a human click (20 %), a machine click (10 %).
  await db.query(
    `INSERT INTO tracking_hits (account_id, email_id, kind, at, human, reason, decided_at, outcome)
     SELECT $1, e.id, h.kind, e.sent_at + h.after, h.human, CASE WHEN h.human THEN 'human' ELSE 'apple_mpp_ip' END, now(), 'no_triggers'
     FROM emails e CROSS JOIN LATERAL (VALUES
       ('open', true, interval '2 hours', e.entity_id % 10 < 6), ('open', false, interval '1 minute', true),
       ('click', true, interval '3 hours', e.entity_id % 10 < 2), ('click', false, interval '2 minutes', e.entity_id % 10 = 9)
     ) AS h(kind, human, after, present)
     WHERE e.account_id = $1 AND e.status = 'sent' AND h.present`,
    [account],
  );
  await db.query('ANALYZE emails; ANALYZE tracking_hits; ANALYZE mailing_recipients');
}

export async function benchStats(server: RunningServer, sign: Sign): Promise<void> {
  const db = server.services.db;
  const t0 = Date.now();
  await seed(server, ACCOUNT, 10_000);
  await seed(server, OTHER, 20_000);
  const counts = (await db.query<{ mails: string; hits: string }>(
    'SELECT (SELECT count(*) FROM emails WHERE account_id = $1) mails, (SELECT count(*) FROM tracking_hits WHERE account_id = $1) hits',
    [ACCOUNT],
  )).rows[0]!;
  console.log(`stats: seeded ${counts.mails} mails and ${counts.hits} hits (plus 20,000 mails of another account) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const admin = sign({ account_id: ACCOUNT, subdomain: `stats${ACCOUNT}`, user_id: 1, is_admin: true });
  const user = sign({ account_id: ACCOUNT, subdomain: `stats${ACCOUNT}`, user_id: 1, is_admin: false });
  const get = async (token: string, path: string, q: Record<string, string>) => {
    const res = await fetch(`${server.url}${path}?${new URLSearchParams(q).toString()}`, { headers: { 'x-auth-token': token } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const until = new Date(Math.ceil(Date.now() / DAY) * DAY);
  const period = (days: number) => ({ since: new Date(until.getTime() - days * DAY), until });
  const scope = (days: number, userId: number | null): StatsScope => ({ accountId: ACCOUNT, userId, tz: 'Europe/Madrid', templateId: null, mailboxId: null, mailingId: null, ...period(days) });
  const iso = (days: number) => ({ since: period(days).since.toISOString(), until: until.toISOString(), tz: 'Europe/Madrid' });

  // The floor: the same events counted per day by hand, no scope filters, no empty buckets, no names.
  const rawSeries = (days: number) =>
    db.query(
      `SELECT d, series, count(*) FROM (
         SELECT date_trunc('day', CASE WHEN status = 'sent' THEN sent_at ELSE updated_at END AT TIME ZONE 'Europe/Madrid') d, status series FROM emails
          WHERE account_id = $1 AND status IN ('sent', 'failed') AND (CASE WHEN status = 'sent' THEN sent_at ELSE updated_at END) >= $2 AND (CASE WHEN status = 'sent' THEN sent_at ELSE updated_at END) < $3
         UNION ALL
         SELECT date_trunc('day', at AT TIME ZONE 'Europe/Madrid'), kind || human::text FROM tracking_hits WHERE account_id = $1 AND at >= $2 AND at < $3 AND human IS NOT NULL
       ) x GROUP BY 1, 2`,
      [ACCOUNT, period(days).since, until],
    );
  const rawBreakdown = (days: number) =>
    db.query(
      `SELECT e.template_id, count(*) FILTER (WHERE h.id IS NULL) FROM emails e LEFT JOIN tracking_hits h ON h.email_id = e.id AND h.at >= $2 AND h.at < $3
        WHERE e.account_id = $1 GROUP BY 1`,
      [ACCOUNT, period(days).since, until],
    );

  const rows: [string, number, number, number | null][] = [];
  for (const days of [30, 90]) {
    rows.push([`series per day, ${days} days, admin`, await timed(() => get(admin, '/api/stats/series', iso(days)), RUNS), await timed(() => statsSeries(db, scope(days, null), 'day'), RUNS), await timed(() => rawSeries(days), RUNS)]);
  }
  rows.push(['series per day, 90 days, user', await timed(() => get(user, '/api/stats/series', iso(90)), RUNS), await timed(() => statsSeries(db, scope(90, 1), 'day'), RUNS), null]);
  rows.push(['series per hour, 1 day, admin', await timed(() => get(admin, '/api/stats/series', iso(1)), RUNS), await timed(() => statsSeries(db, scope(1, null), 'hour'), RUNS), null]);
  for (const by of ['template', 'mailbox', 'mailing'] as const) {
    rows.push([`breakdown by ${by}, 90 days, admin`, await timed(() => get(admin, '/api/stats/breakdown', { ...iso(90), by }), RUNS), await timed(() => statsBreakdown(db, scope(90, null), by), RUNS), by === 'template' ? await timed(() => rawBreakdown(90), RUNS) : null]);
  }
  // What the page asks when it opens: the series and three breakdowns at once.
  const page = await timed(() => Promise.all([get(admin, '/api/stats/series', iso(30)), ...['template', 'mailbox', 'mailing'].map((by) => get(admin, '/api/stats/breakdown', { ...iso(30), by }))]), RUNS);
  for (const [what, http, query, raw] of rows) {
    console.log(`stats: ${what.padEnd(36)} HTTP ${http.toFixed(1).padStart(6)} ms   read model ${query.toFixed(1).padStart(6)} ms${raw === null ? '' : `   raw SQL ${raw.toFixed(1).padStart(6)} ms`}`);
  }
  console.log(`stats: the page's four requests at once (30 days, admin): ${page.toFixed(1)} ms (target 300 ms)`);

  const plan = await db.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN SELECT 1 FROM emails e WHERE e.account_id = $1 AND e.status IN ('sent', 'failed') AND (CASE WHEN e.status = 'sent' THEN e.sent_at ELSE e.updated_at END) >= $2
       AND (CASE WHEN e.status = 'sent' THEN e.sent_at ELSE e.updated_at END) < $3
     UNION ALL SELECT 1 FROM tracking_hits h WHERE h.account_id = $1 AND h.at >= $2 AND h.at < $3`,
    [ACCOUNT, period(30).since, until],
  );
  const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
  console.log(`stats: plans use emails_account_outcome: ${text.includes('emails_account_outcome')}, tracking_hits_account_at: ${text.includes('tracking_hits_account_at')}`);
}
