/**
 * Limited Kommo rights hold in the backend, not only in the widget: a user who may see only
 * their own leads (M), their group's (G), none (D), or not a given stage cannot preview, send
 * to, dry-run or read the history of an entity Kommo would not show them (403 saying why).
 */
import type { SmtpSink } from '../support/smtp-sink.js';
import { createMailbox } from '../support/send-helpers.js';
import { ACCOUNT_ID, SUB, type World } from '../support/world.js';
import type { TokenClaims } from '../support/widget-token.js';
import { useWorldAndSink, MARIA_SMTP } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
let templateId: string;
const as = (userId: number): TokenClaims => ({ accountId: ACCOUNT_ID, subdomain: SUB, userId });

useWorldAndSink({ sink: { auth: MARIA_SMTP } }, (x) => ({ w, sink } = x));
beforeAll(async () => {
  const res = await w.api(w.admin).post('/api/templates').send({ name: 'Hi', subject: 'Hi {{contact.first_name}}', html: '<p>Hello</p>', isPublic: true });
  expect(res.status).toBe(201);
  templateId = res.body.id;
});

const preview = (who: TokenClaims, entityType: string, entityId: number) => w.api(who).post(`/api/templates/${templateId}/preview`).send({ entityType, entityId });
const history = (who: TokenClaims, entityType: string, entityId: number) => w.api(who).get(`/api/emails?entityType=${entityType}&entityId=${entityId}`);
const lead = (responsible: number, extra: Record<string, unknown> = {}) => w.kommo.sim.addLead(SUB, { name: 'Deal', responsible_user_id: responsible, contacts: [w.crm.contactId], ...extra }).id;

it('own leads only (M): the user’s own lead works, another user’s lead is refused everywhere', async () => {
  const own = w.kommo.sim.addUser(SUB, { name: 'Olga Own', email: 'olga@acme.example', view: { leads: 'M' } });
  const mine = lead(own.id);
  const theirs = w.crm.leadId; // Maria's
  expect((await preview(as(own.id), 'leads', mine)).status).toBe(200);
  expect((await history(as(own.id), 'leads', mine)).status).toBe(200);

  const refused = await preview(as(own.id), 'leads', theirs);
  expect(refused.status).toBe(403);
  expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', message: `your Kommo rights allow only leads you are responsible for: lead ${theirs} is not available to you` });
  expect((await history(as(own.id), 'leads', theirs)).status).toBe(403);
  expect((await w.api(as(own.id)).post(`/api/templates/${templateId}/dry-run`).send({ entityType: 'leads', entityId: theirs, scenario: { kind: 'never_opened' } })).status).toBe(403);

  const mailboxId = await createMailbox(w, as(own.id), sink);
  const sent = await w.api(as(own.id)).post('/api/emails').send({ entityType: 'leads', entityId: theirs, mailboxId, templateId, contactIds: [w.crm.contactId] });
  expect(sent.status).toBe(403);
  const stored = await w.server.services.db.query('SELECT count(*)::int AS n FROM emails WHERE user_id = $1', [own.id]);
  expect(stored.rows[0].n).toBe(0);
  // Admins (by the widget token) see everything.
  expect((await preview(w.admin, 'leads', theirs)).status).toBe(200);

  // A mail to Maria's lead, sent by an admin, cannot be read or cancelled by id either.
  const adminBox = await createMailbox(w, w.admin, sink);
  const byAdmin = await w.api(w.admin).post('/api/emails').send({ entityType: 'leads', entityId: theirs, mailboxId: adminBox, templateId, contactIds: [w.crm.contactId] });
  expect(byAdmin.status).toBe(202);
  const read = await w.api(as(own.id)).get(`/api/emails/${byAdmin.body.id}`);
  expect(read.status).toBe(403);
  expect(read.body.error.message).toMatch(/lead .* is not available to you/);
  expect((await w.api(as(own.id)).post(`/api/emails/${byAdmin.body.id}/cancel`)).status).toBe(403);
  expect((await w.api(w.admin).get(`/api/emails/${byAdmin.body.id}`)).body.status).not.toBe('cancelled');
  // The sender reads their own mail without a Kommo rights check.
  expect((await w.api(w.admin).get(`/api/emails/${byAdmin.body.id}`)).status).toBe(200);
});

it('group leads (G): a lead of a user in the same group is visible, one outside the group is not', async () => {
  const mate = w.kommo.sim.addUser(SUB, { name: 'Gina Mate', email: 'gina@acme.example', group_id: 77 });
  const grouped = w.kommo.sim.addUser(SUB, { name: 'Gus Group', email: 'gus@acme.example', group_id: 77, view: { leads: 'G' } });
  expect((await preview(as(grouped.id), 'leads', lead(mate.id))).status).toBe(200);
  const outside = await preview(as(grouped.id), 'leads', w.crm.leadId);
  expect(outside.status).toBe(403);
  expect(outside.body.error.message).toMatch(/of your user group/);
});

it('denied (D) contacts, a denied lead stage, and a user unknown to the account are refused', async () => {
  const noContacts = w.kommo.sim.addUser(SUB, { name: 'Dan Denied', email: 'dan@acme.example', view: { contacts: 'D' } });
  const res = await preview(as(noContacts.id), 'contacts', w.crm.contactId);
  expect(res.status).toBe(403);
  expect(res.body.error.message).toBe(`your Kommo rights do not allow viewing contacts: contact ${w.crm.contactId} is not available to you`);
  expect((await preview(as(noContacts.id), 'leads', w.crm.leadId)).status).toBe(200);

  const p = w.kommo.sim.addPipeline(SUB, { name: 'VIP', statuses: ['Secret'] });
  const staged = w.kommo.sim.addUser(SUB, {
    name: 'Sam Stage',
    email: 'sam@acme.example',
    status_rights: [{ entity_type: 'leads', pipeline_id: p.id, status_id: p.statuses[0]!.id, rights: { view: 'D', edit: 'D', delete: 'D' } }],
  });
  expect((await preview(as(staged.id), 'leads', lead(staged.id, { pipeline_id: p.id, status_id: p.statuses[0]!.id }))).status).toBe(403);
  expect((await preview(as(staged.id), 'leads', w.crm.leadId)).status).toBe(200);

  const stranger = await preview(as(424242), 'leads', w.crm.leadId);
  expect(stranger.status).toBe(403);
  expect(stranger.body.error.message).toMatch(/not a user of this Kommo account/);
});
