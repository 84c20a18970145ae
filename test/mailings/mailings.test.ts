/**
 * Mailings end to end: real PostgreSQL, the product's queue, an SMTP sink and the Kommo
 * simulator (with its 7 requests/s limit).
 */
import { startWorld, SUB, type World } from '../support/world.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';

let w: World;
let sink: SmtpSink;
let fastMailbox: string;

beforeAll(async () => {
  w = await startWorld();
  sink = await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } });
  fastMailbox = await createMailbox(w, w.user, sink, { pacing: { messages: 1000, seconds: 1 } });
});
afterAll(async () => {
  await sink.close();
  await w.stop();
});

/** `n` leads, each with its own main contact `p<tag>-<i>@client.example`. */
function seedLeads(tag: string, n: number, extra: (i: number) => { email?: string | null } = () => ({})): number[] {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = extra(i);
    const email = e.email === undefined ? `p${tag}-${i}@client.example` : e.email;
    const contacts = email === null ? [] : [w.kommo.sim.addContact(SUB, { name: `Person ${tag}-${i}`, first_name: `P${i}`, last_name: tag, email }).id];
    ids.push(w.kommo.sim.addLead(SUB, { name: `Deal ${tag}-${i}`, responsible_user_id: w.crm.userId, pipeline_id: w.crm.pipelineId, contacts }).id);
  }
  return ids;
}

async function createMailing(body: Record<string, unknown>): Promise<string> {
  const res = await w.api(w.user).post('/api/mailings').send({ entityType: 'leads', mailboxId: fastMailbox, ...body });
  if (res.status !== 202) throw new Error(`mailing refused: ${res.status} ${JSON.stringify(res.body)}`);
  expect(res.body.status).toBe('resolving');
  return res.body.id as string;
}

const getMailing = async (id: string) => (await w.api(w.user).get(`/api/mailings/${id}`)).body;

async function waitFor(id: string, check: (m: Awaited<ReturnType<typeof getMailing>>) => void, timeoutMs = 60_000) {
  return eventually(
    async () => {
      const m = await getMailing(id);
      check(m);
      return m;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

const sinkFor = (emailIds: Set<string>) => sink.messages.filter((m) => emailIds.has(String(m.parsed.headers.get('x-leadmail-email-id'))));

async function allRecipients(id: string) {
  const out = [];
  for (let page = 1; ; page++) {
    const r = await w.api(w.user).get(`/api/mailings/${id}/recipients?page=${page}&limit=500`);
    expect(r.status).toBe(200);
    out.push(...r.body.items);
    if (r.body.items.length < 500) return out;
  }
}

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
    expect(list.body.find((m: { id: string }) => m.id === id)).toMatchObject({ status: 'done', counts: { sent: 500 } });
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
