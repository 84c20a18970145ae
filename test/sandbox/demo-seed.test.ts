/**
 * `npm run sandbox` usable by clicking alone: the demo templates it seeds (through the templates
 * service, once however often it restarts) are listed to the sales user and render for a lead;
 * its SMTP server takes the quick set-up's "Other / security None / any login" → grey.
 */
import type { SMTPServer } from 'smtp-server';
import { seedDemoTemplates, startSandboxSmtp } from '../../server/sandbox/demo-seed.js';
import { startWorld, type World } from '../support/world.js';

let w: World;
let smtp: SMTPServer | undefined;
const printed: string[] = [];

beforeAll(async () => {
  w = await startWorld();
});

afterAll(async () => {
  smtp?.close();
  await w?.stop();
});

const adminAuth = () => ({ accountId: w.admin.accountId, subdomain: w.admin.subdomain, userId: w.crm.adminUserId, isAdmin: true });

it('seeds "Offer" and "Welcome" once, visible to a sales user and rendering for a lead', async () => {
  expect((await w.api(w.user).get('/api/templates')).body).toEqual([]);
  expect(await seedDemoTemplates(w.server.services.templates, adminAuth())).toEqual(['Offer', 'Welcome']);
  // A restart of the sandbox on the same database seeds again: nothing new.
  expect(await seedDemoTemplates(w.server.services.templates, adminAuth())).toEqual([]);

  const list = (await w.api(w.user).get('/api/templates')).body as { id: string; name: string }[];
  expect(list.map((t) => t.name).sort()).toEqual(['Offer', 'Welcome']);
  const offer = list.find((t) => t.name === 'Offer')!;
  const preview = await w.api(w.user).post(`/api/templates/${offer.id}/preview`).send({ entityType: 'leads', entityId: w.crm.leadId });
  expect(preview.status).toBe(200);
  expect(preview.body.subject).toMatch(/^Offer for John: /);
});

it('takes a login without TLS, so the quick set-up with security "None" is grey', async () => {
  const started = await startSandboxSmtp(0, (line) => printed.push(line));
  smtp = started.server;
  const created = await w.api(w.user).post('/api/mailboxes').send({
    displayName: 'Sandbox',
    fromName: 'Maria Sales',
    fromAddress: 'maria@acme.example',
    preset: 'generic',
    smtp: { host: '127.0.0.1', port: started.port, security: 'none', auth: true, username: 'anyone', password: 'anything' },
    imap: { enabled: false },
  });
  expect(created.status).toBe(201);
  const check = await w.api(w.user).post(`/api/mailboxes/${created.body.id}/check`);
  expect(check.body).toMatchObject({ status: 'grey' });
});
