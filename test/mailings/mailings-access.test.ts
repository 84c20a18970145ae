/** Who sees and acts on a mailing (its creator, or an admin of the account), and the list's filters and pages. */
import type { World } from '../support/world.js';
import { useMailingWorld } from './mailing-helpers.js';

const { ctx, seedLeads, createMailing, waitFor } = useMailingWorld();
let w: World;
let done: string;
let cancelled: string;
let othersMailing: string;
beforeAll(async () => {
  w = ctx.w;
  done = await createMailing({ subject: 'Hi', html: '<p>x</p>', ids: seedLeads('own', 2) });
  await waitFor(done, (m) => expect(m.status).toBe('done'));
  cancelled = await createMailing({ subject: 'Hi', html: '<p>x</p>', ids: seedLeads('stop', 2), startAt: new Date(Date.now() + 86_400_000).toISOString() });
  expect((await w.api(w.user).post(`/api/mailings/${cancelled}/cancel`)).status).toBe(200);
  othersMailing = await createMailing({ mailboxId: 'responsible', subject: 'Hi', html: '<p>x</p>', ids: seedLeads('other', 1) }, w.otherUser);
});

const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((m) => m.id);

describe("another user's mailing", () => {
  it.each([
    ['get', ''],
    ['get', '/stats'],
    ['get', '/recipients'],
    ['get', '/recipients.csv'],
    ['post', '/pause'],
    ['post', '/resume'],
    ['post', '/cancel'],
    ['post', '/reminder'],
  ] as const)('answers 404 to a user who did not create it: %s /api/mailings/:id%s', async (method, suffix) => {
    const req = w.api(w.otherUser)[method](`/api/mailings/${done}${suffix}`);
    const res = suffix === '/reminder' ? await req.send({ condition: 'not_opened', subject: 'R', html: '<p>r</p>' }) : await req;
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('is seen and acted on by an admin of the account', async () => {
    expect((await w.api(w.admin).get(`/api/mailings/${done}`)).body).toMatchObject({ id: done, status: 'done' });
    expect((await w.api(w.admin).get(`/api/mailings/${done}/recipients`)).body.total).toBe(2);
    // Found, and refused only for its state.
    expect((await w.api(w.admin).post(`/api/mailings/${cancelled}/resume`)).status).toBe(409);
  });
});

describe('GET /api/mailings', () => {
  it("lists a user's own mailings, and every mailing of the account to an admin, newest first", async () => {
    const mine = await w.api(w.user).get('/api/mailings');
    expect(mine.status).toBe(200);
    expect(ids(mine)).toEqual([cancelled, done]);
    expect(mine.body).toMatchObject({ page: 1, limit: 20, total: 2 });
    expect(ids(await w.api(w.otherUser).get('/api/mailings'))).toEqual([othersMailing]);
    expect(ids(await w.api(w.admin).get('/api/mailings'))).toEqual([othersMailing, cancelled, done]);
  });

  it('pages and filters by status, derived ones (done) included', async () => {
    const second = await w.api(w.admin).get('/api/mailings?page=2&limit=2');
    expect(second.body).toMatchObject({ page: 2, limit: 2, total: 3 });
    expect(ids(second)).toEqual([done]);
    expect(ids(await w.api(w.user).get('/api/mailings?status=cancelled'))).toEqual([cancelled]);
    const finished = await w.api(w.user).get('/api/mailings?status=done');
    expect(finished.body).toMatchObject({ total: 1, items: [{ id: done, status: 'done' }] });
    expect((await w.api(w.user).get('/api/mailings?status=resolving')).body).toMatchObject({ total: 0, items: [] });
  });

  it('answers 400 naming the field for a bad filter', async () => {
    for (const [q, field] of [['status=finished', 'query.status'], ['page=0', 'query.page'], ['limit=101', 'query.limit']]) {
      const res = await w.api(w.user).get(`/api/mailings?${q}`);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(field);
    }
  });
});
