/** Trigger links as account objects, and `{{triggerlink N}}` rendered into mail and previews. */
import supertest from 'supertest';
import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';
import { clickPaths, createLink, deliver, foreignTrigger, noteTrigger, UA } from './tracking-helpers.js';
import { useWorldAndSink } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
let mailboxId: string;
let triggerId: string;

useWorldAndSink({}, (x) => ({ w, sink } = x));
beforeAll(async () => {
  mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  triggerId = await noteTrigger(w, 'Familiar with the offer');
});

const hitCount = async (): Promise<number> => (await w.server.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tracking_hits')).rows[0]!.n;

describe('trigger link settings', () => {
  it('lets an admin create, read, change and delete a link, and shows the variable to paste', async () => {
    const created = await w.api(w.admin).post('/api/trigger-links').send({ name: 'Link to the offer', executeOnce: true, redirectUrl: 'https://acme.example/offer.pdf', triggerIds: [triggerId] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Link to the offer', executeOnce: true, redirectUrl: 'https://acme.example/offer.pdf', triggerIds: [triggerId] });
    expect(created.body.variable).toBe(`{{triggerlink ${created.body.id}}}`);

    // Users see the links (the editor inserts them) but cannot change them.
    const listed = await w.api(w.user).get('/api/trigger-links');
    expect(listed.status).toBe(200);
    expect(listed.body.map((l: { id: number }) => l.id)).toContain(created.body.id);
    for (const res of [
      await w.api(w.user).post('/api/trigger-links').send({ name: 'Mine' }),
      await w.api(w.user).put(`/api/trigger-links/${created.body.id}`).send({ name: 'Renamed' }),
      await w.api(w.user).delete(`/api/trigger-links/${created.body.id}`),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }

    const changed = await w.api(w.admin).put(`/api/trigger-links/${created.body.id}`).send({ name: 'Offer (every click)', executeOnce: false, redirectUrl: null });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ executeOnce: false, redirectUrl: null, triggerIds: [] });
    expect((await w.api(w.user).get(`/api/trigger-links/${created.body.id}`)).body.name).toBe('Offer (every click)');

    expect((await w.api(w.admin).delete(`/api/trigger-links/${created.body.id}`)).status).toBe(204);
    expect((await w.api(w.user).get(`/api/trigger-links/${created.body.id}`)).status).toBe(404);
  });

  it('accepts only http(s) redirect URLs and triggers of the account, naming the field', async () => {
    for (const redirectUrl of ['javascript:alert(1)', 'ftp://files.acme.example/offer.pdf', 'not a url', 'https://user:secret@acme.example/']) {
      const res = await w.api(w.admin).post('/api/trigger-links').send({ name: 'Bad', redirectUrl });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^body\.redirectUrl: /);
    }
    const unknown = await w.api(w.admin).post('/api/trigger-links').send({ name: 'Bad', triggerIds: [triggerId, '00000000-0000-4000-8000-000000000000'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('triggerIds.1: trigger 00000000-0000-4000-8000-000000000000 does not exist');

    const foreign = await foreignTrigger(w, 2002);
    const res = await w.api(w.admin).post('/api/trigger-links').send({ name: 'Bad', triggerIds: [foreign] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^triggerIds\.0: /);
  });
});

describe('{{triggerlink N}} in a mail', () => {
  it('renders a unique signed URL per mail, also from seed 004’s {triggerlink:N}, next to a hidden honeypot', async () => {
    const link = await createLink(w, { name: 'Offer', redirectUrl: 'https://acme.example/offer', triggerIds: [triggerId] });
    const tpl = await createTemplate(w, w.user, {
      subject: 'Offer',
      html: `<html><body><p><a href="${link.variable}">Read the offer</a> or <a href="{triggerlink:${link.id}}">the legacy one</a></p></body></html>`,
    });
    const a = await deliver(w, sink, { mailboxId, templateId: tpl, contactIds: [w.crm.contactId] });
    const b = await deliver(w, sink, { mailboxId, templateId: tpl, contactIds: [w.crm.secondContactId] });

    const linksA = clickPaths(a.html);
    const linksB = clickPaths(b.html);
    // Honeypot first (link 0), then the two spellings of the same trigger link.
    expect(linksA.map((l) => l.linkId)).toEqual([0, link.id, link.id]);
    expect(linksA.every((l) => l.emailId === a.id)).toBe(true);
    expect(linksB.every((l) => l.emailId === b.id)).toBe(true);
    expect(new Set([...linksA, ...linksB].map((l) => l.path)).size).toBe(4);
    expect(a.html).toMatch(/<div aria-hidden="true" style="display:none[^"]*mso-hide:all[^"]*"><a href="[^"]+\/t\/c\/[^"]+\.0\.[^"]+" tabindex="-1" aria-hidden="true"[^>]*><\/a><\/div>/);

    // Every URL is signed: changing the link id or the email id breaks it.
    const real = linksA[1]!.path;
    const sig = real.split('.').pop()!;
    const forgedLink = `/t/c/${a.id}.${link.id + 1}.${sig}`;
    const forgedEmail = `/t/c/${b.id}.${link.id}.${sig}`;
    const before = await hitCount();
    for (const path of [forgedLink, forgedEmail, `/t/c/${a.id}.${link.id}.AAAAAAAAAAAAAAAAAAAAAA`, '/t/c/not-a-token']) {
      const res = await supertest(w.server.url).get(path).set('User-Agent', UA.safari);
      expect(res.status).toBe(404);
      expect(res.headers.location).toBeUndefined();
      expect(res.text).toContain('Link not found');
    }
    expect(await hitCount()).toBe(before);
  });

  it('refuses an unknown link id or another account’s link at preview and at send, with the position', async () => {
    await foreignTrigger(w, 2002);
    const foreign = await w.server.services.db.query<{ id: number }>("INSERT INTO trigger_links (account_id, name) VALUES (2002, 'Theirs') RETURNING id");
    for (const id of [999_999, foreign.rows[0]!.id]) {
      const html = `<p>Hi</p>\n<p><a href="{{triggerlink ${id}}}">x</a></p>`;
      const preview = await w.api(w.user).post('/api/preview').send({ entityType: 'leads', entityId: w.crm.leadId, subject: 'Hi', html });
      expect(preview.status).toBe(400);
      expect(preview.body.error.code).toBe('TEMPLATE_SYNTAX');
      expect(preview.body.error.details).toMatchObject({ part: 'html', line: 2, column: expect.any(Number) });
      expect(preview.body.error.message).toContain(`there is no trigger link ${id} in this account`);

      const send = await w.api(w.user).post('/api/emails').send({ entityType: 'leads', entityId: w.crm.leadId, mailboxId, to: ['x@client.example'], subject: 'Hi', html });
      expect(send.status).toBe(400);
      expect(send.body.error.code).toBe('TEMPLATE_SYNTAX');
    }
  });

  it('previews with a placeholder URL that lands on the link’s page but records and fires nothing', async () => {
    const link = await createLink(w, { name: 'Preview me', redirectUrl: 'https://acme.example/landing', triggerIds: [triggerId] });
    const res = await w.api(w.user).post('/api/preview').send({ entityType: 'leads', entityId: w.crm.leadId, subject: 'Hi', html: `<a href="${link.variable}">go</a>` });
    expect(res.status).toBe(200);
    const path = /href="https?:\/\/[^/"]+(\/t\/c\/preview\.\d+\.[A-Za-z0-9_-]{22})"/.exec(res.body.html)![1]!;
    const before = await hitCount();
    const click = await supertest(w.server.url).get(path).set('User-Agent', UA.safari);
    expect(click.status).toBe(302);
    expect(click.headers.location).toBe('https://acme.example/landing');
    expect(await hitCount()).toBe(before);
  });
});

describe('trigger links in templates', () => {
  it('refuses at save time a template naming a trigger link that does not exist', async () => {
    for (const html of ['<a href="{{triggerlink 999999}}">x</a>', '<a href="{triggerlink:999999}">x</a>', '<a href="%7Btriggerlink:999999%7D">x</a>']) {
      const res = await w.api(w.admin).post('/api/templates').send({ name: 'Dangling', subject: 's', html });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('html: trigger link 999999 does not exist in this account');
    }
  });
});
