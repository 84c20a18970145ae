/**
 * A mailing or reminder whose content could never render, or that names a template or trigger
 * link the user cannot use, is refused when it is posted (400 naming the field): nothing is
 * stored, no job is scheduled, Kommo is not read.
 */
import crypto from 'node:crypto';
import { SUB, type World } from '../support/world.js';
import { useMailingWorld } from './mailing-helpers.js';

const { ctx, seedLeads, createMailing, waitFor } = useMailingWorld();
let w: World;
beforeAll(() => ({ w } = ctx));

const db = () => w.server.services.db;
const count = async () => Number((await db().query('SELECT count(*) AS n FROM mailings')).rows[0].n);
const DEEP = '{{#if a}}'.repeat(3000) + '{{/if}}'.repeat(3000);

/** Posts, expects a 400 whose message names `field`, and that nothing was stored or read. */
async function refused(path: string, body: Record<string, unknown>, field: string, code = 'TEMPLATE_SYNTAX') {
  const before = await count();
  w.kommo.sim.clearRequests();
  const res = await w.api(w.user).post(path).send(body);
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message).toMatch(code === 'VALIDATION' ? new RegExp(`^${field}: `) : new RegExp(`^Template ${field} `));
  expect(await count()).toBe(before);
  expect(w.kommo.sim.requestsFor(SUB, {})).toEqual([]);
  return res;
}

describe('POST /api/mailings', () => {
  const base = () => ({ entityType: 'leads', mailboxId: ctx.mailboxId, ids: [w.crm.leadId] });

  it('refuses inline content that could never render, naming subject or html', async () => {
    const arity = await refused('/api/mailings', { ...base(), subject: 'Hi', html: '<a href="{{triggerlink}}">x</a>' }, 'html');
    expect(arity.body.error.message).toMatch(/triggerlink takes one trigger link id/);
    const unknown = await refused('/api/mailings', { ...base(), subject: '{{money lead.price}}', html: '<p>x</p>' }, 'subject');
    expect(unknown.body.error.message).toMatch(/Unknown helper "money"/);
    await refused('/api/mailings', { ...base(), subject: 'Hi', html: DEEP }, 'html', 'TEMPLATE_TOO_COMPLEX');
    const link = await refused('/api/mailings', { ...base(), subject: 'Hi', html: '<a href="{{triggerlink 987654}}">x</a>' }, 'html', 'VALIDATION');
    expect(link.body.error.message).toBe('html: trigger link 987654 does not exist in this account');
  });

  it('refuses an unknown template id with 400 naming templateId', async () => {
    await refused('/api/mailings', { ...base(), templateId: crypto.randomUUID() }, 'templateId', 'VALIDATION');
  });
});

describe('POST /api/mailings/:id/reminder', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await createMailing({ subject: 'Hi', html: '<p>x</p>', ids: seedLeads('rem', 1) });
    await waitFor(parent, (m) => expect(m.status).toBe('done'));
  });

  it('refuses inline content that could never render, naming subject or html', async () => {
    await refused(`/api/mailings/${parent}/reminder`, { condition: 'not_opened', subject: 'R {{triggerlink 1 2}}', html: '<p>r</p>' }, 'subject');
    await refused(`/api/mailings/${parent}/reminder`, { condition: 'not_opened', subject: 'R', html: '{{upper}}' }, 'html');
  });

  it("refuses a linkId that is not a trigger link of the account, naming linkId", async () => {
    const OTHER = 2004;
    await db().query("INSERT INTO accounts (id, subdomain) VALUES ($1, 'other4')", [OTHER]);
    const theirs = (await db().query("INSERT INTO trigger_links (account_id, name) VALUES ($1, 'theirs') RETURNING id", [OTHER])).rows[0].id as number;
    for (const linkId of [theirs, 987654]) {
      await refused(`/api/mailings/${parent}/reminder`, { condition: 'not_clicked_link', linkId, subject: 'R', html: '<p>r</p>' }, 'linkId', 'VALIDATION');
    }
  });
});
