/**
 * POST /api/emails/:id/resend: a failed (or unknown) mail sent again, knowingly, as a NEW email
 * with the same mailbox, recipients, rendered content, files and trigger points; the old one's
 * history says "resent as <new id>". Any other status is a 409 naming it; the mail's visibility
 * rules are GET /api/emails/:id's (another account: 404; a user Kommo would not show the lead: 403).
 */
import { ACCOUNT_ID, SUB, type World } from '../support/world.js';
import { SINK_FAILURES, type SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, emailIdOf, sendEmail, startWorldWithSink, stopWorldWithSink, waitForStatus } from '../support/send-helpers.js';
import { eventually } from '../support/eventually.js';
import { createLink, hit, noteTrigger, UA } from '../tracking/tracking-helpers.js';
import type { TokenClaims } from '../support/widget-token.js';

let w: World;
let sink: SmtpSink;
let mailboxId: string;
const PDF = Buffer.from('%PDF-1.4 price list');

beforeAll(async () => {
  ({ w, sink } = await startWorldWithSink());
  mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
});
afterAll(async () => {
  await stopWorldWithSink(w, sink);
});

const resend = (who: TokenClaims, id: string) => w.api(who).post(`/api/emails/${id}/resend`);

/** A mail from Maria's lead with a file and a "sent" trigger, refused by the server (554). */
async function failedMail(subject: string): Promise<{ id: string; trigger: string }> {
  const trigger = await noteTrigger(w, `Sent: ${subject}`);
  sink.failNext(1, SINK_FAILURES.spam);
  const res = await w
    .api(w.user)
    .post('/api/emails')
    .field(
      'json',
      JSON.stringify({ entityType: 'leads', entityId: w.crm.leadId, mailboxId, subject, html: '<p>Hello {{contact.first_name}}</p>', contactIds: [w.crm.contactId], cc: ['boss@client.example'], triggers: { sent: [trigger] } }),
    )
    .attach('files', PDF, { filename: 'prices.pdf', contentType: 'application/pdf' });
  expect(res.status).toBe(202);
  await waitForStatus(w, w.user, res.body.id, 'failed');
  return { id: res.body.id as string, trigger };
}

it('sends a failed mail again as a new email that arrives with the same content, files and triggers', async () => {
  const { id, trigger } = await failedMail('Offer one');
  const before = sink.messages.length;
  const res = await resend(w.user, id);
  expect(res.status).toBe(202);
  const copy = res.body;
  expect(copy.id).not.toBe(id);
  expect(copy).toMatchObject({ status: expect.stringMatching(/^(queued|sending|sent)$/), mailboxId, entityType: 'leads', entityId: w.crm.leadId, to: ['john@client.example'], cc: ['boss@client.example'], subject: 'Offer one' });
  expect(copy.attachments).toEqual([expect.objectContaining({ filename: 'prices.pdf', size: PDF.length, contentType: 'application/pdf' })]);

  const sent = await waitForStatus(w, w.user, copy.id, 'sent');
  const [msg] = (await sink.waitForMessages(before + 1)).filter((m) => emailIdOf(m) === copy.id);
  expect(msg!.envelope.rcptTo.sort()).toEqual(['boss@client.example', 'john@client.example']);
  expect(msg!.parsed.subject).toBe('Offer one');
  expect(msg!.parsed.html).toContain('<p>Hello John</p>');
  expect(msg!.parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['prices.pdf', PDF.toString()]]);
  // The new mail's own trigger points: its "sent" trigger ran for it.
  await eventually(async () => {
    const runs = (await w.api(w.user).get(`/api/emails/${copy.id}`)).body.triggerRuns;
    expect(runs.map((r: { triggerId: string; status: string }) => [r.triggerId, r.status])).toEqual([[trigger, 'done']]);
  });
  expect(sent.events!.map((e) => e.type)).toContain('resend_of');

  // The old mail stays failed, and its history names the new one.
  const old = (await w.api(w.user).get(`/api/emails/${id}`)).body;
  expect(old.status).toBe('failed');
  expect(old.events.find((e: { type: string }) => e.type === 'resent')).toMatchObject({ data: { emailId: copy.id, text: `resent as ${copy.id}` } });

  // Twice is refused: the new one is what to resend if it fails too.
  const again = await resend(w.user, id);
  expect(again.status).toBe(409);
  expect(again.body.error.message).toBe(`status: this email was already resent as ${copy.id}; resend that one if it failed too`);
});

it('makes one new mail when two resends of the same mail arrive at once', async () => {
  const { id } = await failedMail('Offer double click');
  const answers = await Promise.all([resend(w.user, id), resend(w.user, id)]);
  expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
  const events = (await w.api(w.user).get(`/api/emails/${id}`)).body.events.filter((e: { type: string }) => e.type === 'resent');
  expect(events).toHaveLength(1);
  const copies = await w.server.services.db.query("SELECT count(*)::int AS n FROM email_events WHERE type = 'resend_of' AND data->>'emailId' = $1", [id]);
  expect(copies.rows[0].n).toBe(1);
  // Delivered before the next test scripts the sink's next failure.
  await waitForStatus(w, w.user, answers.find((a) => a.status === 202)!.body.id, 'sent');
});

it('signs the resent mail’s trigger links for the new mail, so a click counts for it', async () => {
  const link = await createLink(w, { name: 'Offer PDF', redirectUrl: 'https://acme.example/offer.pdf' });
  sink.failNext(1, SINK_FAILURES.spam);
  const id = await sendEmail(w, w.user, { mailboxId, subject: 'With a link', html: `<p><a href="{{triggerlink ${link.id}}}">Offer</a></p>`, contactIds: [w.crm.contactId] });
  await waitForStatus(w, w.user, id, 'failed');
  const stored = (await w.server.services.db.query('SELECT body_html FROM emails WHERE id = $1', [id])).rows[0].body_html as string;
  expect(stored).toContain(`/t/c/${id}.${link.id}.`);

  const res = await resend(w.user, id);
  expect(res.status).toBe(202);
  const before = sink.messages.length;
  await waitForStatus(w, w.user, res.body.id, 'sent');
  const [msg] = (await sink.waitForMessages(before + 1)).filter((m) => emailIdOf(m) === res.body.id);
  // The link's URL (the honeypot, link 0, is added at send time and is the new mail's anyway).
  const href = new RegExp(`href="([^"]*/t/c/[0-9a-f-]{36}\\.${link.id}\\.[^"]+)"`).exec(msg!.parsed.html as string)![1]!;
  expect(href).toContain(`/t/c/${res.body.id}.${link.id}.`);
  expect(msg!.parsed.html).not.toContain(id);
  // The new URL is genuinely signed: the click is recorded for the resent mail.
  expect((await hit(w, new URL(href).pathname, UA.safari)).headers.location).toBe('https://acme.example/offer.pdf');
  await eventually(async () => {
    const r = await w.server.services.db.query('SELECT email_id FROM tracking_hits WHERE email_id = ANY($1::uuid[])', [[id, res.body.id]]);
    expect(r.rows.map((x: { email_id: string }) => x.email_id)).toEqual([res.body.id]);
  });
});

it('answers 409 naming the status for a mail that was sent, and sends nothing', async () => {
  const id = await sendEmail(w, w.user, { mailboxId, subject: 'Delivered', html: '<p>x</p>', contactIds: [w.crm.contactId] });
  await waitForStatus(w, w.user, id, 'sent');
  const count = (await w.server.services.db.query('SELECT count(*)::int AS n FROM emails')).rows[0].n;
  const res = await resend(w.user, id);
  expect(res.status).toBe(409);
  expect(res.body.error).toMatchObject({ code: 'CONFLICT', message: 'status: an email that is sent cannot be resent (only failed or unknown ones)' });
  expect((await w.server.services.db.query('SELECT count(*)::int AS n FROM emails')).rows[0].n).toBe(count);
});

it('resends a mail whose outcome is unknown (the user chose to)', async () => {
  const id = await sendEmail(w, w.user, { mailboxId, subject: 'Maybe delivered', html: '<p>x</p>', contactIds: [w.crm.contactId] });
  await waitForStatus(w, w.user, id, 'sent');
  // What the crash sweep leaves after a process died mid-send (interrupted-sends.ts).
  await w.server.services.db.query("UPDATE emails SET status = 'unknown' WHERE id = $1", [id]);
  const res = await resend(w.user, id);
  expect(res.status).toBe(202);
  await waitForStatus(w, w.user, res.body.id, 'sent');
});

it('follows the mail’s visibility: another account gets 404, a user Kommo would not show the lead 403', async () => {
  const { id } = await failedMail('Offer private');
  w.kommo.sim.addAccount({ subdomain: 'beta', id: 2002 });
  await w.server.services.db.query("INSERT INTO accounts (id, subdomain) VALUES (2002, 'beta') ON CONFLICT DO NOTHING");
  await w.server.services.tokens.store(2002, 'long_lived', { accessToken: w.kommo.sim.addAccessToken('beta'), refreshToken: null, expiresAt: null });
  const stranger = await resend({ accountId: 2002, subdomain: 'beta', userId: w.crm.adminUserId, isAdmin: true }, id);
  expect(stranger.status).toBe(404);

  const own = w.kommo.sim.addUser(SUB, { name: 'Olga Own', email: 'olga@acme.example', view: { leads: 'M' } });
  const refused = await resend({ accountId: ACCOUNT_ID, subdomain: SUB, userId: own.id }, id);
  expect(refused.status).toBe(403);

  // Pedro may see Maria's lead but not send from Maria's mailbox.
  const pedro = await resend(w.otherUser, id);
  expect(pedro.status).toBe(409);
  expect(pedro.body.error.message).toMatch(/^mailboxId: the mailbox this email was sent from/);

  const old = (await w.api(w.user).get(`/api/emails/${id}`)).body;
  expect(old.events.map((e: { type: string }) => e.type)).not.toContain('resent');
});

it('is described in the OpenAPI document, answering the new email', async () => {
  const doc = (await w.api(w.user).get('/api/openapi.json')).body;
  const op = doc.paths['/api/emails/{id}/resend'].post;
  expect(op.responses['202'].content['application/json'].schema.properties).toHaveProperty('status');
  expect(op.security).toEqual([{ kommoWidgetToken: [] }]);
});
