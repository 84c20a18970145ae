/**
 * A known set of mails for the statistics tests, every event at a stated time:
 * - U1 (Maria, template "Offer", her mailbox): delivered 2026-11-20 10:05Z; Apple's prefetch at
 *   10:06 and a link scanner at 10:07 (machines), then the reader opens at 11:10 and clicks at 11:20;
 * - U2 (same): delivered 2026-11-21 09:00Z, opened by its reader at 09:30;
 * - U3 (same): refused as spam, failed at 2026-11-21 09:45Z;
 * - A1: the administrator's mailing "Spring sale" (no template, the admin's mailbox), delivered
 *   2026-11-21 12:00Z, fetched by Gmail's image proxy a minute later (a machine).
 * Hits go through the tracking service with explicit times (as the tracking tests do), so each
 * is classified by the product itself.
 */
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { SINK_FAILURES, type SmtpSink } from '../support/smtp-sink.js';
import type { World } from '../support/world.js';
import { clickAt, clickPaths, createLink, deliver, pixelPath, settledTracking, UA } from '../tracking/tracking-helpers.js';

export interface StatsFixture {
  userMailbox: string;
  adminMailbox: string;
  templateId: string;
  mailingId: string;
}

export const ZERO = { sent: 0, failed: 0, humanOpens: 0, machineOpens: 0, humanClicks: 0, machineClicks: 0 };

export async function seedStats(w: World, sink: SmtpSink): Promise<StatsFixture> {
  const db = w.server.services.db;
  const at = (iso: string) => new Date(iso);
  const open = (html: string, when: string, ua: string, ip = '203.0.113.9') =>
    w.server.services.tracking.open(pixelPath(html).replace('/t/o/', ''), { userAgent: ua, ip, method: 'GET', at: at(when) });
  const sentAt = (id: string, when: string) => db.query('UPDATE emails SET sent_at = $2 WHERE id = $1', [id, at(when)]);

  const userMailbox = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  const adminMailbox = await createMailbox(w, w.admin, sink, { pacing: { messages: 100, seconds: 1 }, from: 'sales@acme.example' });
  const link = await createLink(w, { name: 'Offer', redirectUrl: 'https://acme.example/offer' });
  const templateId = await createTemplate(w, w.user, { name: 'Offer', subject: 'Offer', html: `<html><body><p><a href="{triggerlink:${link.id}}">Read</a></p></body></html>` });

  const u1 = await deliver(w, sink, { mailboxId: userMailbox, templateId, contactIds: [w.crm.contactId] });
  await sentAt(u1.id, '2026-11-20T10:05:00Z');
  await open(u1.html, '2026-11-20T10:06:00Z', UA.appleMpp);
  const click = clickPaths(u1.html).find((c) => c.linkId !== 0)!;
  await clickAt(w, click.path, at('2026-11-20T10:07:00Z'), UA.barracuda);
  await open(u1.html, '2026-11-20T11:10:00Z', UA.chrome);
  await clickAt(w, click.path, at('2026-11-20T11:20:00Z'), UA.chrome);
  expect(await settledTracking(w, u1.id)).toMatchObject({ humanOpens: 1, machineOpens: 1, humanClicks: 1, machineClicks: 1 });

  const u2 = await deliver(w, sink, { mailboxId: userMailbox, templateId, contactIds: [w.crm.contactId] });
  await sentAt(u2.id, '2026-11-21T09:00:00Z');
  await open(u2.html, '2026-11-21T09:30:00Z', UA.safari);

  sink.failNext(1, SINK_FAILURES.spam);
  const u3 = await sendEmail(w, w.user, { mailboxId: userMailbox, templateId, contactIds: [w.crm.contactId] });
  await waitForStatus(w, w.user, u3, 'failed');
  await db.query('UPDATE emails SET updated_at = $2 WHERE id = $1', [u3, at('2026-11-21T09:45:00Z')]);

  const res = await w.api(w.admin).post('/api/mailings').send({ entityType: 'leads', mailboxId: adminMailbox, subject: 'Spring sale', html: '<p>Sale</p>', ids: [w.crm.leadId] });
  expect(res.status).toBe(202);
  const mailingId = res.body.id as string;
  const a1 = await eventually(
    async () => {
      const r = await db.query<{ email_id: string }>('SELECT email_id FROM mailing_recipients WHERE mailing_id = $1 AND email_id IS NOT NULL', [mailingId]);
      expect(r.rows).toHaveLength(1);
      return r.rows[0]!.email_id;
    },
    { timeoutMs: 15_000 },
  );
  await waitForStatus(w, w.admin, a1, 'sent');
  const a1Html = await eventually(() => {
    const m = sink.messages.find((x) => x.parsed.headers.get('x-leadmail-email-id') === a1);
    expect(m).toBeDefined();
    return m!.parsed.html as string;
  });
  await sentAt(a1, '2026-11-21T12:00:00Z');
  await open(a1Html, '2026-11-21T12:01:00Z', UA.gmailProxy, '66.249.84.1');
  return { userMailbox, adminMailbox, templateId, mailingId };
}
