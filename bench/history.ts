/**
 * The history page's list (issue 9: every page loads in < 300 ms with 10,000 mails in the
 * account): GET /api/emails/search against 10,000 and then 100,000 mails of one account, timed
 * through HTTP (token, validation, both queries, JSON) beside the raw SQL a hand-written page
 * would run on the same data (SELECT … ORDER BY created_at DESC LIMIT/OFFSET and a count(*)).
 * Figures: the first page, a deep page (the last one the count reaches), a filtered page
 * (status + mailbox, template + date range) and a user's own list; median of RUNS calls each.
 * Then the page itself in Chromium (the fake Kommo page, the widget built from source): from the
 * click on the History tab to its 25 rows on screen, every request of the page included.
 */
import { startWidgetHost } from '../server/sandbox/widget-host.js';
import { chromium, type Page } from 'playwright-core';
import { median, timed } from './timing.js';
import { startBenchServer } from './bench-server.js';

const RUNS = 15;
const TARGET_MS = 300;

export async function benchHistory(): Promise<void> {
  const host = await startWidgetHost();
  const { server, kommo, smtp, raw, adminUserId, secret, audience, tokenOf, stop } = await startBenchServer('history', 'benchh', { CORS_EXTRA_ORIGINS: host.url });
  const sub = 'benchh';
  const user = kommo.sim.addUser(sub, { name: 'Maria', email: 'maria@acme.example' });
  const browser = await chromium.launch({
    executablePath: process.env.TEST_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const admin = tokenOf(adminUserId, true);
    const maria = tokenOf(user.id, false);
    const post = async (token: string, p: string, body: unknown) => {
      const res = await fetch(`${server.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': token }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    };
    const mailbox = (token: string, name: string) =>
      post(token, '/api/mailboxes', { displayName: name, fromAddress: `${name.toLowerCase()}@acme.example`, smtp: { host: '127.0.0.1', port: smtp.port, security: 'none', auth: false }, pacing: { messages: 1000, seconds: 1 }, dailyCap: null });
    const boxes = [(await mailbox(admin, 'Sales')).id, (await mailbox(admin, 'Support')).id, (await mailbox(maria, 'Maria')).id];
    const tpls = [(await post(admin, '/api/templates', { name: 'Offer', subject: 'Offer', html: '<p>x</p>' })).id, (await post(admin, '/api/templates', { name: 'Welcome', subject: 'Welcome', html: '<p>x</p>' })).id];

    /** Mails numbered from..to-1 spread over 60 days: 2 % failed, ~1 % queued (planned tomorrow, so no drain sends them), ~3 % cancelled; a third Maria's, a fifth from mailings. */
    const fill = async (from: number, to: number) => {
      await raw.query(
        `INSERT INTO emails (id, account_id, user_id, mailbox_id, entity_type, entity_id, template_id, status, message_id, to_addresses, subject, body_html,
                             not_before, created_at, sent_at, priority, error_text)
         SELECT gen_random_uuid(), 9, CASE WHEN i % 3 = 2 THEN $1::bigint ELSE $2::bigint END, ($3::uuid[])[i % 3 + 1], 'leads', 1000 + i,
                CASE i % 4 WHEN 0 THEN $4::uuid WHEN 1 THEN $5::uuid END, s.status, '<' || gen_random_uuid() || '@bench>',
                jsonb_build_array('p' || i || '@client.example'), 'Offer ' || i, '<p>' || repeat('Personalised text. ', 100) || '</p>',
                CASE WHEN s.status = 'queued' THEN now() + interval '1 day' ELSE c.at END, c.at, CASE WHEN s.status = 'sent' THEN c.at END,
                CASE WHEN i % 5 = 0 THEN 1 ELSE 0 END, CASE WHEN s.status = 'failed' THEN '554 5.7.1 rejected' END
         FROM generate_series($6::int, $7::int - 1) i,
              LATERAL (SELECT CASE WHEN i % 50 = 0 THEN 'failed' WHEN i % 97 = 0 THEN 'queued' WHEN i % 31 = 0 THEN 'cancelled' ELSE 'sent' END AS status) s,
              LATERAL (SELECT now() - make_interval(secs => i * 518.4 * 10000 / $7::int) AS at) c`,
        [user.id, adminUserId, boxes, tpls[0], tpls[1], from, to],
      );
      await raw.query('VACUUM ANALYZE emails');
    };
    const api = (token: string, q: string) => async () => {
      const res = await fetch(`${server.url}/api/emails/search?${q}`, { headers: { 'x-auth-token': token } });
      if (!res.ok) throw new Error(`search ${q}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ total: number; items: unknown[] }>;
    };
    const sql = (where: string, params: unknown[], offset: number) => async () => {
      await raw.query(`SELECT * FROM emails WHERE account_id = 9 ${where} ORDER BY created_at DESC, id DESC LIMIT 25 OFFSET ${offset}`, params);
      await raw.query(`SELECT count(*) FROM emails WHERE account_id = 9 ${where}`, params);
    };

    await host.configure({ backendUrl: server.url, secret, audience, account: { id: 9, subdomain: sub }, users: [{ id: adminUserId!, name: 'Admin', isAdmin: true }], leads: [], contacts: [], companies: [] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${host.url}/host.html?noboot=1`);
    await page.waitForFunction(() => (window as unknown as { KommoHost?: { ready(): unknown } }).KommoHost?.ready());

    for (const n of [10_000, 100_000]) {
      await fill(n === 10_000 ? 0 : 10_000, n);
      const since = new Date(Date.now() - 20 * 86_400_000).toISOString();
      const until = new Date(Date.now() - 10 * 86_400_000).toISOString();
      const first = await api(admin, 'limit=25')();
      const deepPage = Math.ceil(first.total / 25);
      const cases: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
        ['first page', api(admin, 'limit=25'), sql('', [], 0)],
        [`deep page ${deepPage}`, api(admin, `limit=25&page=${deepPage}`), sql('', [], (deepPage - 1) * 25)],
        // Past the counted pages (a hand-typed page number): the offset still reads only the index.
        [`last page ${n / 25}`, api(admin, `limit=25&page=${n / 25}`), sql('', [], n - 25)],
        ['status=failed + mailbox', api(admin, `status=failed&mailboxId=${boxes[0]}`), sql("AND status = 'failed' AND mailbox_id = $1", [boxes[0]], 0)],
        ['template + 10-day range', api(admin, `templateId=${tpls[1]}&since=${since}&until=${until}`), sql('AND template_id = $1 AND created_at >= $2 AND created_at < $3', [tpls[1], since, until], 0)],
        ['queued single mails (QueuedMails)', api(admin, 'status=queued&single=true&order=planned'), sql("AND status = 'queued' AND priority = 0", [], 0)],
        ["a user's own, page 20", api(maria, 'limit=25&page=20'), sql(`AND (user_id = $1 OR mailbox_id = $2)`, [user.id, boxes[2]], 19 * 25)],
      ];
      console.log(`history: ${n.toLocaleString('en')} mails in the account (count capped at 10,000), median of ${RUNS}; GET /api/emails/search over HTTP vs raw SQL (page + exact count) on the same data:`);
      for (const [name, viaApi, viaSql] of cases) {
        const a = await timed(viaApi, RUNS);
        const r = await timed(viaSql, RUNS);
        console.log(`  ${name.padEnd(34)} API ${a.toFixed(1).padStart(6)} ms   raw SQL ${r.toFixed(1).padStart(6)} ms   (target < ${TARGET_MS} ms: ${a < TARGET_MS ? 'met' : 'MISSED'})`);
      }
      const shown = await tabToRows(page, adminUserId!);
      console.log(`  the page in Chromium: History tab clicked → 25 rows on screen ${shown.toFixed(0)} ms (target < ${TARGET_MS} ms: ${shown < TARGET_MS ? 'met' : 'MISSED'})`);
    }
  } finally {
    await browser.close();
    await host.close();
    await stop();
  }
}

/** Median over RUNS boots (after one warm-up) of: click on the History tab → its rows on screen. */
async function tabToRows(page: Page, userId: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const ms = await page.evaluate(async (cfg) => {
      await (window as unknown as { KommoHost: { boot(c: unknown): Promise<unknown> } }).KommoHost.boot(cfg);
      const until = (ok: () => boolean) =>
        new Promise<void>((resolve) => {
          const check = () => (ok() ? resolve() : requestAnimationFrame(check));
          check();
        });
      await until(() => !!document.querySelector('.leadmail-admin-tabs__tab[data-tab="history"]'));
      const t0 = performance.now();
      (document.querySelector('.leadmail-admin-tabs__tab[data-tab="history"]') as HTMLElement).click();
      await until(() => document.querySelectorAll('.leadmail-history-row').length === 25 && !document.querySelector('.leadmail-history__loading'));
      return performance.now() - t0;
    }, { area: 'advanced_settings', userId });
    if (i > 0) xs.push(ms);
  }
  return median(xs);
}
