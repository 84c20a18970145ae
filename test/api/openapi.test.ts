import supertest from 'supertest';
import { startWorld, type World } from '../support/world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.stop();
});

/** Every route Express will actually answer, read from Express's own router. */
function mountedRoutes(app: unknown): { method: string; path: string }[] {
  const stack = (app as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router.stack;
  return stack
    .filter((l) => l.route)
    .flatMap((l) => Object.keys(l.route!.methods).filter((m) => m !== '_all').map((method) => ({ method, path: l.route!.path })));
}

describe('GET /api/openapi.json', () => {
  it('documents every mounted route, with request and response schemas', async () => {
    const res = await supertest(w.server.url).get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const { createApp } = await import('../../server/app/app.js');
    const { app } = createApp(w.server.services);
    const routes = mountedRoutes(app);
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes.filter((r) => !res.body.paths[r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[r.method]);
    expect(missing).toEqual([]);

    const create = res.body.paths['/api/mailboxes'].post;
    expect(create.requestBody.content['application/json'].schema.properties.smtp).toBeDefined();
    expect(create.responses['201'].content['application/json'].schema.properties.smtp.properties.hasPassword).toBeDefined();
    expect(create.security).toEqual([{ kommoWidgetToken: [] }]);
    const send = res.body.paths['/api/emails'].post;
    expect(send.requestBody.content['multipart/form-data']).toBeDefined();
    expect(res.body.paths['/api/emails/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
  });

  it('documents every /api/mailings route with a typed response, and the bodies it takes', async () => {
    const doc = (await supertest(w.server.url).get('/api/openapi.json')).body;
    const ops = Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }>; requestBody?: unknown }>>)
      .filter(([p]) => p.startsWith('/api/mailings'))
      .flatMap(([p, methods]) => Object.entries(methods).map(([method, op]) => ({ route: `${method} ${p}`, op })));
    expect(ops.length).toBeGreaterThanOrEqual(10);
    const untyped = ops
      .filter(({ op }) => {
        const ok = Object.entries(op.responses).find(([code]) => code.startsWith('2'))?.[1];
        const schema = Object.values(ok?.content ?? {})[0]?.schema as { type?: string; properties?: object } | undefined;
        return !schema?.type;
      })
      .map((o) => o.route);
    expect(untyped).toEqual([]);
    const post = (p: string) => doc.paths[p].post;
    expect(post('/api/mailings').requestBody.content['application/json'].schema.properties.ids.maxItems).toBe(100_000);
    expect(post('/api/mailings').responses['202'].content['application/json'].schema.properties.status.enum).toContain('resolving');
    expect(post('/api/mailings/{id}/reminder').requestBody.content['application/json'].schema.properties.condition).toBeDefined();
    expect(doc.paths['/api/mailings'].get.responses['200'].content['application/json'].schema.properties.items.items.properties.counts).toBeDefined();
    expect(doc.paths['/api/mailings/{id}/recipients.csv'].get.responses['200'].content['text/csv'].schema.type).toBe('string');
  });
});
