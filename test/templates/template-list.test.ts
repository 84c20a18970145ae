/**
 * GET /api/template-list: the templates page's list, paged on the server, searched by name or
 * subject (LIKE's wildcards taken literally), with the same visibility as GET /api/templates.
 */
import { startWorld, type World } from '../support/world.js';
import { createTemplate } from '../support/send-helpers.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
  await createTemplate(w, w.user, { name: 'Offer 100%', subject: 'Prices', html: '<p>a</p>' });
  await createTemplate(w, w.user, { name: 'Welcome', subject: 'Hello {{lead.name}}', html: '<p>b</p>', isPublic: true });
  await createTemplate(w, w.user, { name: 'follow-up', subject: 'About our offer', html: '<p>c</p>' });
  await createTemplate(w, w.otherUser, { name: 'Pedro private', subject: 'x', html: '<p>d</p>' });
});
afterAll(async () => {
  await w.stop();
});

const names = (body: { items: { name: string }[] }) => body.items.map((i) => i.name);

it('pages the templates a user may see, by name, without bodies', async () => {
  const res = await w.api(w.user).get('/api/template-list?limit=2');
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ page: 1, limit: 2, total: 3 });
  expect(names(res.body)).toEqual(['follow-up', 'Offer 100%']);
  expect(res.body.items[0]).not.toHaveProperty('html');
  expect(res.body.items[0]).toMatchObject({ ownerUserId: w.crm.userId, isPublic: false, canEdit: true });
  const second = await w.api(w.user).get('/api/template-list?limit=2&page=2');
  expect(names(second.body)).toEqual(['Welcome']);
  expect(second.body.total).toBe(3);
  const past = await w.api(w.user).get('/api/template-list?limit=2&page=5');
  expect(past.body).toMatchObject({ total: 3, items: [] });
});

it('searches the name and the subject in any case; % is a literal character', async () => {
  expect(names((await w.api(w.user).get('/api/template-list?q=OFFER')).body)).toEqual(['follow-up', 'Offer 100%']);
  expect(names((await w.api(w.user).get('/api/template-list?q=0%25')).body)).toEqual(['Offer 100%']);
  expect(names((await w.api(w.user).get(`/api/template-list?q=${encodeURIComponent('%e%')}`)).body)).toEqual([]);
  expect((await w.api(w.user).get('/api/template-list?q=nothing-like-it')).body).toMatchObject({ total: 0, items: [] });
});

it('shows another user only public templates, an admin all, each with whether they may edit it', async () => {
  const other = await w.api(w.otherUser).get('/api/template-list');
  expect(names(other.body)).toEqual(['Pedro private', 'Welcome']);
  expect(other.body.items[1]).toMatchObject({ isPublic: true, canEdit: false });
  const admin = await w.api(w.admin).get('/api/template-list');
  expect(admin.body.total).toBe(4);
  expect(admin.body.items.every((i: { canEdit: boolean }) => i.canEdit)).toBe(true);
});

it('refuses a bad page size naming the field', async () => {
  const res = await w.api(w.user).get('/api/template-list?limit=1000');
  expect(res.status).toBe(400);
  expect(res.body.error.message).toContain('limit');
});
