/**
 * Kommo does not sign the digital-pipeline webhook: anyone who knows the URL and an account id can
 * POST one. Only the token of a pipeline action the backend issued, for the account the payload
 * names, makes the hook act. Every other call sends nothing and stores nothing.
 */
import crypto from 'node:crypto';
import { startWorld, SUB, ACCOUNT_ID, type World } from '../support/world.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';
import { createPipelineAction, dpPayload, postDpHook } from '../support/pipeline-action.js';

const OTHER_SUB = 'beta';
const OTHER_ID = 2002;

let w: World;
let sink: SmtpSink;
let acme: { id: string; token: string };
let beta: { id: string; token: string };

beforeAll(async () => {
  w = await startWorld();
  sink = await startSmtpSink();
  await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  const templateId = await createTemplate(w, w.admin, { name: 'Offer', subject: 'Offer', html: '<p>offer</p>', isPublic: true });
  acme = await createPipelineAction(w, { templateId });

  // A second installed account with its own action: its token must not work for acme.
  const { adminUserId } = w.kommo.sim.addAccount({ subdomain: OTHER_SUB, id: OTHER_ID });
  await w.server.services.db.query('INSERT INTO accounts (id, subdomain) VALUES ($1, $2)', [OTHER_ID, OTHER_SUB]);
  await w.server.services.tokens.store(OTHER_ID, 'long_lived', { accessToken: w.kommo.sim.addAccessToken(OTHER_SUB), refreshToken: null, expiresAt: null });
  const betaAdmin = { accountId: OTHER_ID, subdomain: OTHER_SUB, userId: adminUserId!, isAdmin: true };
  const betaTemplate = await createTemplate(w, betaAdmin, { name: 'Beta offer', subject: 'Beta', html: '<p>beta</p>' });
  const res = await w.api(betaAdmin).post('/api/pipeline-actions').send({ name: 'Beta stage', templateId: betaTemplate });
  expect(res.status).toBe(201);
  beta = { id: res.body.id, token: res.body.token };
});
afterAll(async () => {
  await sink.close();
  await w.stop();
});

const db = () => w.server.services.db;
const count = async (sql: string) => (await db().query(sql)).rows[0].n as number;
const stored = async () => ({
  events: await count('SELECT count(*)::int AS n FROM dp_events'),
  emails: await count('SELECT count(*)::int AS n FROM emails'),
  jobs: await count("SELECT count(*)::int AS n FROM agenda_jobs WHERE name = 'pipeline.dp-event'"),
  counters: await count('SELECT count(*)::int AS n FROM rate_limit_hits'),
});

function newLead(): { leadId: number; statusId: number; pipelineId: number } {
  const contact = w.kommo.sim.addContact(SUB, { name: 'Target', email: `target${Math.floor(Math.random() * 1e9)}@client.example` });
  const lead = w.kommo.sim.addLead(SUB, { name: 'Target deal', responsible_user_id: w.crm.userId, pipeline_id: w.crm.pipelineId, contacts: [contact.id] });
  return { leadId: lead.id, statusId: lead.status_id, pipelineId: lead.pipeline_id };
}

const asAcme = (settings: Record<string, unknown>, lead = newLead()) => dpPayload(lead, settings, { accountId: ACCOUNT_ID, subdomain: SUB });

/** Flips one character of the signature: same shape, wrong HMAC. */
const tamperSignature = (token: string) => token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');

describe('forged digital-pipeline calls', () => {
  it('send nothing and store nothing: unsigned, forged, another account’s, tampered', async () => {
    const before = await stored();
    const [actionId, , sig] = acme.token.split('.') as [string, string, string];
    const [betaActionId, , betaSig] = beta.token.split('.') as [string, string, string];
    const cases: { name: string; body: unknown; status: number }[] = [
      // The old unsigned settings: template, delay, filter straight from the payload.
      { name: 'unsigned', body: asAcme({ template: 'Offer', delay: '0' }), status: 400 },
      { name: 'not a token', body: asAcme({ action: 'send Offer please' }), status: 403 },
      { name: 'forged signature', body: asAcme({ action: `${actionId}.${ACCOUNT_ID}.${crypto.randomBytes(16).toString('base64url').slice(0, 22)}` }), status: 403 },
      { name: 'tampered signature', body: asAcme({ action: tamperSignature(acme.token) }), status: 403 },
      { name: 'another account’s token', body: asAcme({ action: beta.token }), status: 403 },
      { name: 'another account’s token relabelled for acme', body: asAcme({ action: `${betaActionId}.${ACCOUNT_ID}.${betaSig}` }), status: 403 },
      { name: 'acme’s signature on another action id', body: asAcme({ action: `${crypto.randomUUID()}.${ACCOUNT_ID}.${sig}` }), status: 403 },
      { name: 'acme’s token for an unknown account', body: dpPayload(newLead(), { action: acme.token }, { accountId: 424242, subdomain: 'stranger' }), status: 403 },
      { name: 'acme’s token with beta as the account', body: dpPayload(newLead(), { action: acme.token }, { accountId: OTHER_ID, subdomain: OTHER_SUB }), status: 403 },
    ];
    for (const c of cases) {
      const res = await postDpHook(w, c.body);
      expect({ name: c.name, status: res.status }).toEqual({ name: c.name, status: c.status });
      expect(res.body.error.code).toBe(c.status === 400 ? 'VALIDATION' : 'FORBIDDEN');
    }
    expect(await stored()).toEqual(before);
    // Kommo was never asked about any of these leads, and no mail left.
    expect(w.kommo.sim.requestsFor(SUB, { path: /^\/api\/v4\/leads\/\d+/ })).toHaveLength(0);
    expect(w.kommo.sim.requestsFor('stranger')).toHaveLength(0);
    expect(sink.messages).toHaveLength(0);
  });

  it('refuses a 3 MB payload (JSON or form) before reading it, storing nothing', async () => {
    const before = await stored();
    const big = { ...asAcme({ action: acme.token }), padding: 'x'.repeat(3 * 1024 * 1024) };
    const json = await postDpHook(w, big);
    expect(json.status).toBe(413);
    expect(json.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const form = await postDpHook(w, undefined).type('form').send(`padding=${'x'.repeat(3 * 1024 * 1024)}`);
    expect(form.status).toBe(413);
    expect(await stored()).toEqual(before);
  });

  it('the genuine token of the account still works (the same world, the same lead kinds)', async () => {
    const res = await postDpHook(w, asAcme({ action: acme.token }));
    expect(res.status).toBe(200);
    await eventually(
      async () => {
        const r = await db().query('SELECT outcome FROM dp_events WHERE id = $1', [res.body.eventId]);
        expect(r.rows[0]?.outcome).toBe('queued');
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
  });
});
