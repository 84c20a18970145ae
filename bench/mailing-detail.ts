/**
 * The mailing detail (issue 9: every admin page < 300 ms with 10,000 mails): GET /api/mailings/:id,
 * /stats, /recipients?page=1 and /recipients?status=sent for a 10,000-recipient mailing, in an
 * account that also holds another 10,000-mail mailing and 10,000 single mails, timed over HTTP
 * (token, every port call, JSON) beside the raw SQL a monolith would run on the same data (one
 * join of mailing_recipients to emails and tracking_hits: the floor, which the module rule
 * forbids). Median of RUNS calls each. `BENCH_ONLY=mailing-detail npm run bench` runs it alone.
 */
import crypto from 'node:crypto';
import { timed } from './timing.js';
import { startBenchServer } from './bench-server.js';

const RUNS = 15;
const TARGET_MS = 300;
const N = 10_000;

export async function benchMailingDetail(): Promise<void> {
  const { server, smtp, raw, adminUserId, tokenOf, stop } = await startBenchServer('mailing', 'benchm');
  try {
    const admin = tokenOf(adminUserId, true);
    const res = await fetch(`${server.url}/api/mailboxes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': admin },
      body: JSON.stringify({ displayName: 'Sales', fromAddress: 'sales@acme.example', smtp: { host: '127.0.0.1', port: smtp.port, security: 'none', auth: false }, pacing: { messages: 1000, seconds: 1 }, dailyCap: null }),
    });
    if (!res.ok) throw new Error(`mailbox: ${res.status} ${await res.text()}`);
    const mailbox = ((await res.json()) as { id: string }).id;
    // emails.mailing_id exists from migration 20261130039000 on: the same bench measures the code before it.
    const grouped = (await raw.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'emails' AND column_name = 'mailing_id'")).rowCount === 1;

    /** A mailing of N recipients: 2 % skipped, the mails 85 % sent, 5 % failed, 10 % queued for tomorrow (no drain sends them); hits on the sent. */
    const seedMailing = async (entityBase: number): Promise<string> => {
      const id = crypto.randomUUID();
      await raw.query(
        `INSERT INTO mailings (id, account_id, user_id, entity_type, entity_ids, recipients, status, subject, mailbox_id, resolved_count)
         VALUES ($1, 9, $2, 'leads', (SELECT array_agg(g) FROM generate_series($3::bigint, $3::bigint + $4 - 1) g), '{"mode":"main","onePerEntity":false}', 'queued', 'Spring sale', $5, $4)`,
        [id, adminUserId, entityBase, N, mailbox],
      );
      await raw.query('BEGIN');
      await raw.query(
        `CREATE TEMP TABLE seed ON COMMIT DROP AS SELECT i, CASE WHEN i % 50 = 7 THEN NULL ELSE gen_random_uuid() END AS email_id,
           CASE WHEN i % 20 = 0 THEN 'failed' WHEN i % 10 = 1 THEN 'queued' ELSE 'sent' END AS status,
           now() - make_interval(secs => i * 3) AS at FROM generate_series(0, $1::int - 1) i`,
        [N],
      );
      await raw.query(
        `INSERT INTO emails (id, account_id, user_id, mailbox_id, entity_type, entity_id, status, message_id, to_addresses, subject, body_html,
                             not_before, created_at, sent_at, updated_at, priority, error_text, human_opens, machine_opens, human_clicks)
         SELECT s.email_id, 9, $1, $2, 'leads', $3::bigint + s.i, s.status, '<' || s.email_id || '@bench>', jsonb_build_array('p' || s.i || '@client.example'),
                'Spring sale', '<p>' || repeat('Personalised text. ', 100) || '</p>',
                CASE WHEN s.status = 'queued' THEN now() + interval '1 day' ELSE s.at END, s.at, CASE WHEN s.status = 'sent' THEN s.at END, s.at, 1,
                CASE WHEN s.status = 'failed' THEN '554 5.7.1 rejected' END,
                CASE WHEN s.status = 'sent' AND s.i % 10 < 6 THEN 1 ELSE 0 END, CASE WHEN s.status = 'sent' THEN 1 ELSE 0 END,
                CASE WHEN s.status = 'sent' AND s.i % 10 < 2 THEN 1 ELSE 0 END
         FROM seed s WHERE s.email_id IS NOT NULL`,
        [adminUserId, mailbox, entityBase],
      );
      if (grouped) await raw.query('UPDATE emails SET mailing_id = $1 WHERE id IN (SELECT email_id FROM seed)', [id]);
      await raw.query(
        `INSERT INTO mailing_recipients (mailing_id, account_id, entity_type, entity_id, email, status, reason, email_id)
         SELECT $1, 9, 'leads', $2::bigint + s.i, 'p' || s.i || '@client.example', CASE WHEN s.email_id IS NULL THEN 'skipped' ELSE 'queued' END,
                CASE WHEN s.email_id IS NULL THEN 'no email address' END, s.email_id
         FROM seed s ORDER BY s.i`,
        [id, entityBase],
      );
      await raw.query(
        `INSERT INTO tracking_hits (account_id, email_id, kind, at, human, reason, decided_at, outcome)
         SELECT 9, s.email_id, h.kind, s.at + h.after, h.human, CASE WHEN h.human THEN 'human' ELSE 'apple_mpp_ip' END, now(), 'no_triggers'
         FROM seed s CROSS JOIN LATERAL (VALUES ('open', true, interval '2 hours', s.i % 10 < 6), ('open', false, interval '1 minute', true),
           ('click', true, interval '3 hours', s.i % 10 < 2)) AS h(kind, human, after, present)
         WHERE s.email_id IS NOT NULL AND s.status = 'sent' AND h.present`,
      );
      await raw.query('COMMIT');
      return id;
    };
    const mailing = await seedMailing(100_000);
    await seedMailing(200_000);
    // Single mails of the same account, beside the mailings.
    await raw.query(
      `INSERT INTO emails (id, account_id, user_id, mailbox_id, entity_type, entity_id, status, message_id, to_addresses, subject, body_html, sent_at)
       SELECT gen_random_uuid(), 9, $1, $2, 'leads', i, 'sent', '<single-' || i || '@bench>', '["s@client.example"]', 'One', '<p>x</p>', now() - make_interval(secs => i)
       FROM generate_series(1, $3::int) i`,
      [adminUserId, mailbox, N],
    );
    for (const t of ['emails', 'mailing_recipients', 'tracking_hits']) await raw.query(`VACUUM ANALYZE ${t}`);

    const api = (p: string) => async () => {
      const r = await fetch(`${server.url}/api/mailings/${mailing}${p}`, { headers: { 'x-auth-token': admin } });
      if (!r.ok) throw new Error(`GET ${p}: ${r.status} ${await r.text()}`);
      return r.json();
    };
    const sql = (...qs: string[]) => async () => {
      for (const q of qs) await raw.query(q, [mailing]);
    };
    const JOIN = 'FROM mailing_recipients r LEFT JOIN emails e ON e.id = r.email_id WHERE r.mailing_id = $1';
    const PAGE = `SELECT r.*, e.status AS mail_status, e.error_text, e.sent_at ${JOIN}`;
    const cases: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
      [
        'GET /api/mailings/:id',
        api(''),
        sql(
          'SELECT * FROM mailings WHERE id = $1',
          `SELECT coalesce(e.status, r.status) AS s, count(*) ${JOIN} GROUP BY 1`,
          `SELECT coalesce(e.error_text, r.reason), count(*) ${JOIN} AND (r.status = 'skipped' OR e.status IN ('failed', 'unknown')) GROUP BY 1`,
          `SELECT count(*) FILTER (WHERE e.sent_at > now() - interval '10 minutes'), max(e.not_before) FILTER (WHERE e.status = 'queued') ${JOIN}`,
        ),
      ],
      [
        'GET /api/mailings/:id/stats',
        api('/stats'),
        sql(
          `SELECT date_trunc('hour', e.sent_at), count(*) ${JOIN} AND e.status = 'sent' GROUP BY 1`,
          `SELECT sum(e.human_opens), sum(e.machine_opens), sum(e.human_clicks), count(*) FILTER (WHERE e.human_opens > 0) ${JOIN}`,
          `SELECT date_trunc('hour', h.at), h.kind, h.human, count(*) FROM mailing_recipients r JOIN tracking_hits h ON h.email_id = r.email_id WHERE r.mailing_id = $1 GROUP BY 1, 2, 3`,
        ),
      ],
      ['GET …/recipients?page=1', api('/recipients?page=1'), sql(`${PAGE} ORDER BY r.id LIMIT 100`, 'SELECT count(*) FROM mailing_recipients WHERE mailing_id = $1')],
      ['GET …/recipients?status=sent', api('/recipients?status=sent&page=1'), sql(`${PAGE} AND e.status = 'sent' ORDER BY r.id LIMIT 100`, `SELECT count(*) ${JOIN} AND e.status = 'sent'`)],
    ];
    console.log(`mailing detail: a ${N.toLocaleString('en')}-recipient mailing (another of ${N.toLocaleString('en')} and ${N.toLocaleString('en')} single mails in the account; ${grouped ? 'asked by emails.mailing_id' : 'mail ids shipped as arrays'}), median of ${RUNS}; HTTP vs raw SQL (one join of recipients, mails and hits):`);
    for (const [name, viaApi, viaSql] of cases) {
      const a = await timed(viaApi, RUNS);
      const r = await timed(viaSql, RUNS);
      console.log(`  ${name.padEnd(30)} API ${a.toFixed(1).padStart(6)} ms   raw SQL ${r.toFixed(1).padStart(6)} ms   (target < ${TARGET_MS} ms: ${a < TARGET_MS ? 'met' : 'MISSED'})`);
    }
  } finally {
    await stop();
  }
}
