/** Shared steps of the tracking tests: triggers, trigger links, a delivered mail and its tracked URLs. */
import crypto from 'node:crypto';
import supertest from 'supertest';
import type { EmailView } from '../../shared/schemas/email.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { sendEmail, waitForStatus } from '../support/send-helpers.js';
import type { World } from '../support/world.js';
import { SUB } from '../support/world.js';

/** Real browsers and mail clients, and the machines that pretend to be readers. */
export const UA = {
  safari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  chrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  gmailProxy: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
  yahooProxy: 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html',
  appleMpp: 'Mozilla/5.0',
  safeLinks: 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)',
  barracuda: 'Mozilla/5.0 (compatible; Barracuda Sentinel)',
  pythonRequests: 'python-requests/2.31.0',
};

/** An "Add note" trigger whose note text says which trigger ran (seed 004, "Trigger types"). */
export async function noteTrigger(w: World, text: string): Promise<string> {
  const res = await w.api(w.admin).post('/api/triggers').send({ name: text, action: 'add_note', params: { text } });
  if (res.status !== 201) throw new Error(`creating a trigger failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** A trigger of an account this installation has no Kommo connection for (so not creatable over the API). */
export async function foreignTrigger(w: World, accountId: number): Promise<string> {
  const id = crypto.randomUUID();
  await w.server.services.db.query("INSERT INTO accounts (id, subdomain) VALUES ($1, 'other') ON CONFLICT DO NOTHING", [accountId]);
  await w.server.services.db.query("INSERT INTO triggers (id, account_id, name, action, params) VALUES ($1, $2, 'Theirs', 'add_note', $3)", [
    id, accountId, JSON.stringify({ text: 'theirs' }),
  ]);
  return id;
}

/** Notes the trigger engine wrote on the lead in the Kommo simulator, by text. */
export function leadNotes(w: World, text: string): number {
  return w.kommo.sim.notes(SUB, { entity_type: 'leads', entity_id: w.crm.leadId }).filter((n) => n.params.text === text).length;
}

/**
 * The events the engine recorded for a trigger. fire() records them before it returns, so once a
 * hit is decided (settledTracking) an empty list means nothing fired and nothing will.
 */
export async function executions(w: World, triggerId: string): Promise<{ event_key: string; point: string; email_id: string }[]> {
  const r = await w.server.services.db.query('SELECT event_key, point, email_id FROM trigger_executions WHERE trigger_id = $1 ORDER BY created_at', [triggerId]);
  return r.rows;
}

export async function createLink(w: World, body: Record<string, unknown>): Promise<{ id: number; variable: string }> {
  const res = await w.api(w.admin).post('/api/trigger-links').send(body);
  if (res.status !== 201) throw new Error(`creating a trigger link failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Sends, waits for delivery, and returns the delivered HTML. */
export async function deliver(w: World, sink: SmtpSink, body: Record<string, unknown>): Promise<{ id: string; html: string }> {
  const id = await sendEmail(w, w.user, body);
  await waitForStatus(w, w.user, id, 'sent');
  const msg = await eventually(() => {
    const m = sink.messages.find((x) => x.parsed.headers.get('x-leadmail-email-id') === id);
    expect(m).toBeDefined();
    return m!;
  });
  return { id, html: msg.parsed.html as string };
}

/** Click URLs (path only) in delivered HTML, in document order; the honeypot is link 0. */
export function clickPaths(html: string): { path: string; emailId: string; linkId: number }[] {
  return [...html.matchAll(/https?:\/\/[^/"]+(\/t\/c\/([0-9a-f-]{36})\.(\d+)\.[A-Za-z0-9_-]{22})/g)].map((m) => ({
    path: m[1]!,
    emailId: m[2]!,
    linkId: Number(m[3]),
  }));
}

export function pixelPath(html: string): string {
  return /\/t\/o\/[^"]+\.gif/.exec(html)![0];
}

/**
 * Clicks sooner than a few seconds after sending are machines by design; tests of human clicks
 * say the mail was delivered a minute ago instead of sleeping.
 */
export async function deliveredMinuteAgo(w: World, emailId: string): Promise<void> {
  await w.server.services.db.query("UPDATE emails SET sent_at = now() - interval '1 minute' WHERE id = $1", [emailId]);
}

/** Says the mail was sent `msAgo` before the database's now; returns that send time. */
export async function sentAgo(w: World, emailId: string, msAgo: number): Promise<Date> {
  const r = await w.server.services.db.query<{ sent_at: Date }>('UPDATE emails SET sent_at = now() - make_interval(secs => $2) WHERE id = $1 RETURNING sent_at', [
    emailId, msAgo / 1000,
  ]);
  return r.rows[0]!.sent_at;
}

export const plus = (d: Date, ms: number): Date => new Date(d.getTime() + ms);

/**
 * A click as the route records it, but at an explicit time instead of the clock's: the tests of
 * timing (bursts, pairs, the hourly cap) state when each hit came rather than sleeping for it.
 */
export function clickAt(w: World, path: string, at: Date, ua: string = UA.chrome, ip = '203.0.113.7'): ReturnType<World['server']['services']['tracking']['click']> {
  return w.server.services.tracking.click(path.replace(/^\/t\/c\//, ''), { userAgent: ua, ip, method: 'GET', at });
}

/** Over HTTP; `ip` is sent as X-Forwarded-For, which counts only when TRUST_PROXY trusts us (loopback). */
export function hit(w: World, path: string, ua: string | null, ip?: string): supertest.Test {
  const req = supertest(w.server.url).get(path);
  if (ua !== null) req.set('User-Agent', ua);
  if (ip) req.set('X-Forwarded-For', ip);
  return req;
}

/** The email's tracking block once no click is waiting out its settle window. */
export async function settledTracking(w: World, emailId: string): Promise<EmailView['tracking']> {
  return eventually(
    async () => {
      const res = await w.api(w.user).get(`/api/emails/${emailId}`);
      expect(res.status).toBe(200);
      const t = res.body.tracking as EmailView['tracking'];
      expect(t.hits.filter((h) => h.outcome === 'pending')).toEqual([]);
      return t;
    },
    { timeoutMs: 15_000, intervalMs: 200 },
  );
}
