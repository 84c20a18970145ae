/**
 * The pipeline-action API: administrators create the action a Kommo pipeline stage runs
 * (template, delay, filter) and get the signed token the widget writes into Kommo. Everything it
 * refers to is checked when saved; users who are not administrators get 403.
 */
import { startWorld, ACCOUNT_ID, type World } from '../support/world.js';
import { createTemplate } from '../support/send-helpers.js';

let w: World;
let templateId: string;
let privateOfUser: string;

beforeAll(async () => {
  w = await startWorld();
  templateId = await createTemplate(w, w.admin, { name: 'Offer', subject: 'Offer', html: '<p>offer</p>' });
  privateOfUser = await createTemplate(w, w.user, { name: 'Maria’s own', subject: 'Hi', html: '<p>hi</p>' });
});
afterAll(async () => {
  await w.stop();
});

const TOKEN = /^([0-9a-f-]{36})\.(\d+)\.([A-Za-z0-9_-]{22})$/;

describe('/api/pipeline-actions', () => {
  it('creates an action and returns its signed token for this account', async () => {
    const res = await w.api(w.admin).post('/api/pipeline-actions').send({ name: 'Offer on entry', templateId, delaySeconds: 900, filter: { tag: 'vip' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Offer on entry', templateId, templateName: 'Offer', delaySeconds: 900, filter: { tag: 'vip' }, active: true });
    const m = TOKEN.exec(res.body.token)!;
    expect(m[1]).toBe(res.body.id);
    expect(Number(m[2])).toBe(ACCOUNT_ID);

    const list = await w.api(w.admin).get('/api/pipeline-actions');
    expect(list.body.map((a: { id: string }) => a.id)).toContain(res.body.id);
    // Changing the action keeps its token: the widget does not have to write it again.
    const patched = await w.api(w.admin).patch(`/api/pipeline-actions/${res.body.id}`).send({ delaySeconds: 60, active: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ delaySeconds: 60, active: false, filter: { tag: 'vip' }, token: res.body.token });
  });

  it('accepts any template of the account from an admin, even one private to another user', async () => {
    const res = await w.api(w.admin).post('/api/pipeline-actions').send({ name: 'Maria’s mail', templateId: privateOfUser });
    expect(res.status).toBe(201);
    expect(res.body.templateName).toBe('Maria’s own');
  });

  it('refuses at save time what could never send, naming the field', async () => {
    const post = (body: Record<string, unknown>) => w.api(w.admin).post('/api/pipeline-actions').send({ name: 'Bad', templateId, ...body });
    const cases: [Record<string, unknown>, string][] = [
      [{ templateId: '00000000-0000-4000-8000-000000000000' }, 'templateId: template 00000000-0000-4000-8000-000000000000 does not exist in this account'],
      [{ templateId: 'Offer' }, 'body.templateId: must be a template id'],
      [{ filter: { field: 'Nope', value: '1' } }, 'filter.field: "Nope" is not a lead field of this Kommo account'],
      [{ filter: { field: 'Budget' } }, 'body.filter.value: a field filter needs a value to compare with'],
      [{ delaySeconds: 32 * 86400 }, 'body.delaySeconds: must be at most 31 days'],
      [{ delaySeconds: '15 minutes' }, 'body.delaySeconds: Invalid input: expected number, received string'],
      [{ template: 'Offer' }, 'body: Unrecognized key: "template"'],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect({ body, status: res.status, message: res.body.error?.message }).toEqual({ body, status: 400, message });
    }
    // The field check reads Kommo's lead fields: by name, id or code all pass.
    expect((await post({ filter: { field: 'budget', value: '900' } })).status).toBe(201);
    expect((await post({ filter: { field: String(w.crm.budgetFieldId), value: '900' } })).status).toBe(201);
  });

  it('a template of another account is not found', async () => {
    await w.server.services.db.query("INSERT INTO accounts (id, subdomain) VALUES (2002, 'beta') ON CONFLICT DO NOTHING");
    const betaAdmin = { accountId: 2002, subdomain: 'beta', userId: 1, isAdmin: true };
    const res = await w.api(betaAdmin).post('/api/pipeline-actions').send({ name: 'Steal', templateId });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(`templateId: template ${templateId} does not exist in this account`);
    const mine = await w.api(w.admin).post('/api/pipeline-actions').send({ name: 'Mine', templateId });
    expect((await w.api(betaAdmin).get(`/api/pipeline-actions/${mine.body.id}`)).status).toBe(404);
    expect((await w.api(betaAdmin).delete(`/api/pipeline-actions/${mine.body.id}`)).status).toBe(404);
  });

  it('is for administrators only: a user gets 403 for every operation and learns no token', async () => {
    const created = await w.api(w.admin).post('/api/pipeline-actions').send({ name: 'Admin’s', templateId });
    const id = created.body.id as string;
    const attempts = [
      await w.api(w.user).post('/api/pipeline-actions').send({ name: 'Mine', templateId: privateOfUser }),
      await w.api(w.user).get('/api/pipeline-actions'),
      await w.api(w.user).get(`/api/pipeline-actions/${id}`),
      await w.api(w.user).patch(`/api/pipeline-actions/${id}`).send({ active: false }),
      await w.api(w.user).delete(`/api/pipeline-actions/${id}`),
    ];
    expect(attempts.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    expect(attempts[0]!.body.error.message).toBe('only an account administrator may create digital pipeline actions');
    expect(JSON.stringify(attempts.map((r) => r.body))).not.toContain(created.body.token);
    expect((await w.api(w.admin).get(`/api/pipeline-actions/${id}`)).body.active).toBe(true);
  });

  it('deletes an action', async () => {
    const created = await w.api(w.admin).post('/api/pipeline-actions').send({ name: 'Short-lived', templateId });
    expect((await w.api(w.admin).delete(`/api/pipeline-actions/${created.body.id}`)).status).toBe(204);
    expect((await w.api(w.admin).get(`/api/pipeline-actions/${created.body.id}`)).status).toBe(404);
  });
});
