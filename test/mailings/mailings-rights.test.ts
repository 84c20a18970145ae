/**
 * Who a mailing reaches and from which mailbox: a user with limited Kommo rights reaches only
 * the entities Kommo shows them (the others are skipped, and nothing of them is stored), and
 * "each lead's responsible user's mailbox" never falls back to the template owner's.
 */
import { SUB, type World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import type { TokenClaims } from '../support/widget-token.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';
import { useMailingWorld } from './mailing-helpers.js';

const { ctx, createMailing, waitFor } = useMailingWorld();
let w: World;
let sink: SmtpSink;
beforeAll(() => ({ w, sink } = ctx));

const leadOf = (responsible: number, email: string) => {
  const contact = w.kommo.sim.addContact(SUB, { name: email, email }).id;
  return { lead: w.kommo.sim.addLead(SUB, { name: `Deal ${email}`, responsible_user_id: responsible, pipeline_id: w.crm.pipelineId, contacts: [contact] }).id, contact };
};

it("a user limited to their own leads mails only those: another user's lead is skipped, its contact and address never stored", async () => {
  const olga = w.kommo.sim.addUser(SUB, { name: 'Olga Own', email: 'olga@acme.example', view: { leads: 'M' } });
  const as: TokenClaims = { accountId: w.user.accountId, subdomain: SUB, userId: olga.id };
  const mailboxId = await createMailbox(w, as, sink, { pacing: { messages: 1000, seconds: 1 }, from: 'olga@acme.example' });
  const mine = [leadOf(olga.id, 'own-1@client.example'), leadOf(olga.id, 'own-2@client.example')];
  const marias = leadOf(w.crm.userId, 'marias-client@client.example');

  w.kommo.sim.clearRequests();
  const res = await w.api(as).post('/api/mailings').send({ entityType: 'leads', mailboxId, subject: 'Hi', html: '<p>x</p>', ids: [mine[0]!.lead, marias.lead, mine[1]!.lead] });
  expect(res.status).toBe(202);
  const id = res.body.id as string;
  const done = await eventually(
    async () => {
      const m = (await w.api(as).get(`/api/mailings/${id}`)).body;
      expect(m.status).toBe('done');
      return m;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  expect(done.counts).toMatchObject({ sent: 2, skipped: 1 });
  expect(done.reasons).toEqual([{ status: 'skipped', reason: 'not visible to you in Kommo', count: 1 }]);
  // Decided on the batch read: no request for a single entity.
  expect(w.kommo.sim.requestsFor(SUB, { path: /^\/api\/v4\/leads$/ }).length).toBeGreaterThan(0);
  expect(w.kommo.sim.requestsFor(SUB, { path: /\/(leads|contacts|companies)\/\d+/ })).toEqual([]);

  const to = sink.messages.flatMap((m) => m.envelope.rcptTo);
  expect(to).toEqual(expect.arrayContaining(['own-1@client.example', 'own-2@client.example']));
  expect(to).not.toContain('marias-client@client.example');

  const rows = (await w.api(as).get(`/api/mailings/${id}/recipients`)).body.items;
  expect(rows.find((r: { entityId: number }) => r.entityId === marias.lead)).toMatchObject({ status: 'skipped', reason: 'not visible to you in Kommo', contactId: null, email: null });
  const csv = (await w.api(as).get(`/api/mailings/${id}/recipients.csv`)).text;
  expect(csv).toContain('own-1@client.example');
  expect(csv).not.toContain('marias-client');
  expect(csv).not.toContain(String(marias.contact));
});

it("responsible mode: a lead whose responsible user has no mailbox is skipped, not sent from the template owner's", async () => {
  // The template's owner (the user) has a mailbox; the admin has one too; the other user has none.
  const template = await createTemplate(w, w.user, { subject: 'Hello', html: '<p>x</p>' });
  await createMailbox(w, w.admin, sink, { pacing: { messages: 1000, seconds: 1 }, from: 'admin-box@acme.example' });
  const withBox = leadOf(w.crm.adminUserId, 'resp-has@client.example');
  const without = leadOf(w.crm.otherUserId, 'resp-none@client.example');

  const id = await createMailing({ mailboxId: 'responsible', templateId: template, ids: [withBox.lead, without.lead] });
  const done = await waitFor(id, (m) => expect(m.status).toBe('done'));
  expect(done.counts).toMatchObject({ sent: 1, skipped: 1 });
  expect(done.reasons).toEqual([
    { status: 'skipped', reason: "no mailbox to send from: the lead's responsible user has none and there is no global mailbox", count: 1 },
  ]);
  const got = sink.messages.filter((m) => m.envelope.rcptTo.some((r) => r.startsWith('resp-')));
  expect(got.map((m) => [m.envelope.rcptTo[0], m.envelope.mailFrom])).toEqual([['resp-has@client.example', 'admin-box@acme.example']]);
});
