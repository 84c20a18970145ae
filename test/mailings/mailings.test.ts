/**
 * Mailings end to end: real PostgreSQL, the product's queue, an SMTP sink and the Kommo
 * simulator (with its 7 requests/s limit). Lifecycle and crash safety: mailings-lifecycle.test.ts.
 */
import supertest from 'supertest';
import { eventually } from '../support/eventually.js';
import { SUB, type World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';
import { SAFARI, useMailingWorld } from './mailing-helpers.js';

const { ctx, seedLeads, createMailing, getMailing, waitFor, sinkFor, allRecipients } = useMailingWorld();
let w: World;
let sink: SmtpSink;
let fastMailbox: string;
beforeAll(() => ({ w, sink, mailboxId: fastMailbox } = ctx));

describe('a mailing to 500 selected leads', () => {
  it('sends one personalized mail per lead with its own pixel, skips those without address, duplicates and suppressed, and reads Kommo in batches', async () => {
    const ids = seedLeads('a', 500);
    const noAddress = seedLeads('none', 3, () => ({ email: null }));
    const dupes = seedLeads('dup', 2, () => ({ email: 'pa-7@client.example' }));
    const [suppressedLead] = seedLeads('sup', 1, () => ({ email: 'gone@client.example' }));
    await w.server.services.suppressions.add(w.user.accountId, 'Gone@client.example', 'unsubscribed');
    const tpl = await createTemplate(w, w.user, { subject: 'Offer for {{contact.first_name}}', html: '<p>Hello {{contact.name}}, about {{lead.name}}.</p>' });
    w.kommo.sim.clearRequests();

    const id = await createMailing({ templateId: tpl, ids: [...ids, ...noAddress, ...dupes, suppressedLead, ids[0]] });
    const done = await waitFor(id, (m) => expect(m.status).toBe('done'));

    expect(done.selected).toBe(506);
    expect(done.counts).toMatchObject({ sent: 500, skipped: 6, queued: 0, failed: 0 });
    expect(done.reasons).toEqual([
      { status: 'skipped', reason: 'no email address', count: 3 },
      { status: 'skipped', reason: 'duplicate address in this mailing', count: 2 },
      { status: 'skipped', reason: 'suppressed: unsubscribed', count: 1 },
    ]);

    // Batched reads: 506 leads are 3 pages of leads and 3 of contacts, never one request per entity.
    const gets = w.kommo.sim.requestsFor(SUB, { method: 'GET' });
    expect(gets.filter((r) => r.path === '/api/v4/leads')).toHaveLength(3);
    expect(gets.filter((r) => r.path === '/api/v4/contacts')).toHaveLength(3);
    expect(gets.filter((r) => /^\/api\/v4\/(leads|contacts|companies)\/\d+$/.test(r.path))).toHaveLength(0);

    const recipients = await allRecipients(id);
    const sent = recipients.filter((r) => r.status === 'sent');
    expect(sent).toHaveLength(500);
    const messages = sinkFor(new Set(sent.map((r) => r.emailId)));
    expect(messages).toHaveLength(500);
    const byEmailId = new Map(messages.map((m) => [String(m.parsed.headers.get('x-leadmail-email-id')), m]));
    for (const r of sent) {
      const i = ids.indexOf(r.entityId);
      const msg = byEmailId.get(r.emailId)!;
      expect(msg.envelope.rcptTo).toEqual([`pa-${i}@client.example`]);
      expect(msg.parsed.subject).toBe(`Offer for P${i}`);
      expect(msg.parsed.html).toContain(`Hello Person a-${i}, about Deal a-${i}.`);
      expect(msg.parsed.html).toMatch(new RegExp(`/t/o/${r.emailId}\\.[A-Za-z0-9_-]{22}\\.gif`));
    }
    const skipped = recipients.filter((r) => r.status === 'skipped');
    expect(skipped.find((r) => r.entityId === suppressedLead)).toMatchObject({ email: 'gone@client.example', reason: 'suppressed: unsubscribed' });

    const csv = await w.api(w.user).get(`/api/mailings/${id}/recipients.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('entity_type,entity_id,contact_id,email,status,reason,email_id,sent_at');
    expect(lines).toHaveLength(507);

    const list = await w.api(w.user).get('/api/mailings');
    expect(list.body.items.find((m: { id: string }) => m.id === id)).toMatchObject({ status: 'done', counts: { sent: 500 } });
  }, 120_000);
});

describe('accepting a mailing', () => {
  it('answers 400 naming the field for bad input', async () => {
    const bad = async (body: Record<string, unknown>, field: string) => {
      const res = await w.api(w.user).post('/api/mailings').send({ entityType: 'leads', mailboxId: fastMailbox, subject: 'Hi', html: '<p>x</p>', ids: [1], ...body });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(field);
    };
    await bad({ ids: [] }, 'body.ids');
    await bad({ ids: Array.from({ length: 100_001 }, (_, i) => i + 1) }, 'body.ids');
    await bad({ entityType: 'deals' }, 'body.entityType');
    await bad({ subject: undefined }, 'body.subject');
    await bad({ recipients: { mode: 'field' } }, 'body.recipients.fieldId');
    await bad({ mailboxId: 'mine' }, 'body.mailboxId');
  });

  it('another user’s mailbox or template is refused', async () => {
    const res = await w.api(w.otherUser).post('/api/mailings').send({ entityType: 'leads', mailboxId: fastMailbox, subject: 'Hi', html: '<p>x</p>', ids: [1] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('mailboxId');
    expect((await w.api(w.otherUser).get('/api/mailings/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});

describe('who receives it', () => {
  const sim = () => w.kommo.sim;
  const lead = (name: string, contacts: number[]) => sim().addLead(SUB, { name, responsible_user_id: w.crm.userId, pipeline_id: w.crm.pipelineId, contacts }).id;
  const contact = (name: string, email: string, companyId?: number) => sim().addContact(SUB, { name, first_name: name, email, company_id: companyId }).id;
  const sentTo = async (id: string) => {
    await waitFor(id, (m) => expect(m.status).toBe('done'));
    const sent = (await allRecipients(id)).filter((r) => r.status === 'sent');
    return sinkFor(new Set(sent.map((r) => r.emailId))).map((m) => `${m.envelope.rcptTo[0]} ${/Hi (\w+)/.exec(m.parsed.html as string)?.[1]}`).sort();
  };
  const body = { subject: 'Hi', html: '<p>Hi {{contact.name}} of {{company.name}}</p>' };

  it('a contact in two selected leads gets one mail, or one per lead when asked', async () => {
    const shared = contact('Shared', 'shared@client.example');
    const leads = [lead('One', [shared]), lead('Two', [shared])];
    const once = await createMailing({ ...body, ids: leads });
    expect(await sentTo(once)).toEqual(['shared@client.example Shared']);
    expect((await getMailing(once)).reasons).toEqual([{ status: 'skipped', reason: 'duplicate address in this mailing', count: 1 }]);
    const perLead = await createMailing({ ...body, ids: leads, recipients: { mode: 'main', onePerEntity: true } });
    expect(await sentTo(perLead)).toEqual(['shared@client.example Shared', 'shared@client.example Shared']);
  });

  it('"all" writes to every contact of the lead with an address, each with its own name; contacts and companies can be selected too', async () => {
    const co = sim().addCompany(SUB, { name: 'Initech' }).id;
    const l = lead('Many', [contact('Ann', 'ann@client.example', co), contact('Bob', 'bob@client.example')]);
    expect(await sentTo(await createMailing({ ...body, ids: [l], recipients: { mode: 'all' } }))).toEqual(['ann@client.example Ann', 'bob@client.example Bob']);
    expect(await sentTo(await createMailing({ ...body, ids: [l] }))).toEqual(['ann@client.example Ann']);

    const c1 = contact('Cid', 'cid@client.example');
    const c2 = contact('Dee', 'dee@client.example', co);
    expect(await sentTo(await createMailing({ ...body, entityType: 'contacts', ids: [c1, c2] }))).toEqual(['cid@client.example Cid', 'dee@client.example Dee']);
    const companyMail = await createMailing({ ...body, entityType: 'companies', ids: [co] });
    await sentTo(companyMail);
    const [r] = await allRecipients(companyMail);
    const msg = sinkFor(new Set([r.emailId]))[0]!;
    expect(msg.parsed.html).toContain('of Initech');
  });
  it('"field" reads the address from the chosen field; an entity without it is skipped', async () => {
    const billing = sim().addCustomField(SUB, 'leads', { name: 'Billing email', type: 'text' }).id;
    const withField = sim().addLead(SUB, { name: 'Billed', pipeline_id: w.crm.pipelineId, contacts: [contact('Eve', 'eve@client.example')], custom_fields_values: [{ field_id: billing, values: [{ value: 'Bills@Client.example' }] }] }).id;
    const without = lead('Unbilled', [contact('Fay', 'fay@client.example')]);
    const id = await createMailing({ ...body, ids: [withField, without], recipients: { mode: 'field', fieldId: billing } });
    expect(await sentTo(id)).toEqual(['bills@client.example Eve']);
    expect((await getMailing(id)).reasons).toEqual([{ status: 'skipped', reason: 'no email address', count: 1 }]);
  });
});

describe('trigger links', () => {
  it('are signed for each mail of the mailing', async () => {
    const link = await w.api(w.admin).post('/api/trigger-links').send({ name: 'Offer', redirectUrl: 'https://acme.example/offer' });
    expect(link.status).toBe(201);
    const ids = seedLeads('link', 2);
    const id = await createMailing({ subject: 'Offer', html: `<p><a href="{{triggerlink ${link.body.id}}}">offer</a></p>`, ids });
    await waitFor(id, (m) => expect(m).toMatchObject({ status: 'done', counts: { sent: 2 } }));
    for (const r of await allRecipients(id)) {
      const html = sinkFor(new Set([r.emailId]))[0]!.parsed.html as string;
      expect(html).toMatch(new RegExp(`/t/c/${r.emailId}\\.${link.body.id}\\.[A-Za-z0-9_-]{22}`));
    }
  });
});

describe('template attachments', () => {
  it('are stored once and carried by every mail of the mailing', async () => {
    const tpl = await w.api(w.user)
      .post('/api/templates')
      .field('json', JSON.stringify({ name: 'With file', subject: 'Files', html: '<p>see attached, {{contact.name}}</p>' }))
      .attach('files', Buffer.from('%PDF-1.4 price list'), { filename: 'prices.pdf', contentType: 'application/pdf' });
    expect(tpl.status).toBe(201);
    const ids = seedLeads('att', 5);
    const id = await createMailing({ templateId: tpl.body.id, ids });
    await waitFor(id, (m) => expect(m).toMatchObject({ status: 'done', counts: { sent: 5 } }));
    const sent = (await allRecipients(id)).map((r) => r.emailId);
    const messages = sinkFor(new Set(sent));
    expect(messages).toHaveLength(5);
    for (const m of messages) expect(m.parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['prices.pdf', '%PDF-1.4 price list']]);
    const stored = await w.server.services.db.query("SELECT count(*)::int AS n FROM attachments WHERE filename = 'prices.pdf'");
    expect(stored.rows[0].n).toBe(1);

    // The refs carry the mail's account, and the database refuses one to another account's file.
    const db = w.server.services.db;
    const refs = await db.query('SELECT DISTINCT account_id FROM email_attachment_refs WHERE email_id = ANY($1::uuid[])', [sent]);
    expect(refs.rows).toEqual([{ account_id: w.user.accountId }]);
    await db.query("INSERT INTO accounts (id, subdomain) VALUES (2003, 'gamma') ON CONFLICT DO NOTHING");
    const foreign = (await db.query<{ id: string }>(
      "INSERT INTO templates (id, account_id, owner_user_id, name, subject, body_html) VALUES (gen_random_uuid(), 2003, 1, 'G', 's', 'h') RETURNING id",
    )).rows[0]!.id;
    const file = (await db.query<{ id: string }>(
      "INSERT INTO attachments (id, account_id, template_id, filename, content_type, size, content) VALUES (gen_random_uuid(), 2003, $1, 'x.pdf', 'application/pdf', 1, 'x') RETURNING id",
      [foreign],
    )).rows[0]!.id;
    for (const account of [w.user.accountId, null]) {
      await expect(db.query('INSERT INTO email_attachment_refs (account_id, email_id, attachment_id) VALUES ($1, $2, $3)', [account, sent[0], file])).rejects.toMatchObject({
        code: '23503',
        constraint: 'email_attachment_refs_attachment_fk',
      });
    }
    await expect(db.query('INSERT INTO email_attachment_refs (account_id, email_id, attachment_id) VALUES (2003, $1, $2)', [sent[0], file])).rejects.toMatchObject({
      code: '23503',
      constraint: 'email_attachment_refs_email_fk',
    });
  });
});

describe('reminders to non-responders', () => {
  it('go to those who have not opened when the reminder starts, re-checked then', async () => {
    const ids = seedLeads('rem', 3);
    const first = await createMailing({ subject: 'Offer', html: '<p>{{lead.name}}</p>', ids });
    await waitFor(first, (m) => expect(m).toMatchObject({ status: 'done', counts: { sent: 3 } }));
    const recipients = await allRecipients(first);
    const byLead = (i: number) => recipients.find((r) => r.entityId === ids[i])!;
    const openPixel = async (i: number) => {
      const msg = sinkFor(new Set([byLead(i).emailId])).at(0)!;
      const pixel = /\/t\/o\/[^"]+\.gif/.exec(msg.parsed.html as string)![0];
      await supertest(w.server.url).get(pixel).set('User-Agent', SAFARI).expect(200);
      await eventually(async () => expect((await w.api(w.user).get(`/api/emails/${byLead(i).emailId}`)).body.tracking.humanOpens).toBe(1));
    };
    await openPixel(0);
    const stats = (await w.api(w.user).get(`/api/mailings/${first}/stats`)).body;
    expect(stats.totals).toEqual({ sent: 3, failed: 0, humanOpens: 1, machineOpens: 0, humanClicks: 0, machineClicks: 0, uniqueOpeners: 1, uniqueClickers: 0 });
    expect(stats.hourly.reduce((n: number, p: { sent: number }) => n + p.sent, 0)).toBe(3);
    expect(stats.hourly.reduce((n: number, p: { humanOpens: number }) => n + p.humanOpens, 0)).toBe(1);

    // Starts in 2 s: whoever opens before then is skipped too.
    const startAt = new Date(Date.now() + 2000).toISOString();
    const res = await w.api(w.user).post(`/api/mailings/${first}/reminder`).send({ condition: 'not_opened', subject: 'Reminder', html: '<p>Still interested, {{contact.name}}?</p>', startAt });
    expect(res.status).toBe(202);
    await openPixel(1);
    const reminder = await waitFor(res.body.id, (m) => expect(m.status).toBe('done'), 20_000);
    expect(reminder).toMatchObject({ parentMailingId: first, counts: { sent: 1, skipped: 2 } });
    expect(reminder.reasons).toEqual([{ status: 'skipped', reason: 'responded to the first mailing', count: 2 }]);
    const sent = (await allRecipients(res.body.id)).filter((r) => r.status === 'sent');
    expect(sent.map((r) => r.email)).toEqual([byLead(2).email]);
    const msg = sinkFor(new Set([sent[0].emailId]));
    expect(msg).toHaveLength(1);
    expect(msg[0]!.parsed.html).toContain('Still interested, Person rem-2?');
  }, 60_000);

  it('takes back a waiting reminder mail when its recipient responds before it leaves', async () => {
    const ids = seedLeads('late', 3);
    const first = await createMailing({ subject: 'Offer', html: '<p>{{lead.name}}</p>', ids });
    await waitFor(first, (m) => expect(m).toMatchObject({ status: 'done', counts: { sent: 3 } }));
    const firstMails = await allRecipients(first);
    // One reminder mail every 3 s: the last one waits long enough to be taken back.
    const slow = await createMailbox(w, w.user, sink, { pacing: { messages: 1, seconds: 3 } });
    const res = await w.api(w.user).post(`/api/mailings/${first}/reminder`).send({ condition: 'not_opened', mailboxId: slow, subject: 'Reminder', html: '<p>r</p>' });
    const reminder = res.body.id as string;
    await waitFor(reminder, (m) => expect(m.counts.sent).toBe(1));
    const waiting = (await allRecipients(reminder)).filter((r) => r.status === 'queued');
    expect(waiting.length).toBeGreaterThan(0);
    const late = firstMails.find((r) => r.email === waiting.at(-1).email)!;
    const pixel = /\/t\/o\/[^"]+\.gif/.exec(sinkFor(new Set([late.emailId]))[0]!.parsed.html as string)![0];
    await supertest(w.server.url).get(pixel).set('User-Agent', SAFARI).expect(200);
    await eventually(async () => expect((await w.api(w.user).get(`/api/emails/${late.emailId}`)).body.tracking.humanOpens).toBe(1));

    expect(await w.server.services.mailings.recheckReminders()).toBe(1);
    const done = await waitFor(reminder, (m) => expect(m.status).toBe('done'), 20_000);
    expect(done.counts).toMatchObject({ sent: 2, skipped: 1, queued: 0 });
    const skipped = (await allRecipients(reminder)).find((r) => r.status === 'skipped');
    expect(skipped).toMatchObject({ email: late.email, reason: 'responded to the first mailing' });
    expect(sinkFor(new Set([skipped.emailId]))).toHaveLength(0);
  }, 60_000);

  it('needs the link with "not_clicked_link"', async () => {
    const res = await w.api(w.user).post('/api/mailings/00000000-0000-4000-8000-000000000000/reminder').send({ condition: 'not_clicked_link', subject: 'R', html: '<p>r</p>' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('body.linkId');
  });
});
