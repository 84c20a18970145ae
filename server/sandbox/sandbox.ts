/**
 * `npm run sandbox`: the whole product on one machine with Kommo simulated. Starts the Kommo
 * simulator (a demo account with users, a pipeline, leads and contacts), a local SMTP server
 * that prints what it receives, and leadmail on its embedded database pointed at both; then
 * seeds two demo templates ("Offer", "Welcome"), then prints the fake Kommo page's URL, a widget
 * token and curl commands to try the API.
 */
import jwt from 'jsonwebtoken';
import { loadConfig } from '../infra/config/config.js';
import { createLogger } from '../infra/log/logger.js';
import { startServer } from '../app/server.js';
import { startKommoSimulator } from './kommo-sim/index.js';
import { startWidgetHost } from './widget-host.js';
import { seedDemoTemplates, startSandboxSmtp } from './demo-seed.js';

const SUB = 'demo';
const ACCOUNT_ID = 1001;
const SECRET = 'sandbox-client-secret';
const REDIRECT = 'http://localhost:3000/oauth/kommo/callback';
const SMTP_PORT = Number(process.env.SANDBOX_SMTP_PORT ?? 2525);
const WIDGET_PORT = Number(process.env.SANDBOX_WIDGET_PORT ?? 3001);

async function main(): Promise<void> {
  const kommo = await startKommoSimulator({ port: Number(process.env.SANDBOX_KOMMO_PORT ?? 4010) });
  const sim = kommo.sim;
  const { adminUserId, pipeline } = sim.addAccount({ subdomain: SUB, id: ACCOUNT_ID });
  const maria = sim.addUser(SUB, { name: 'Maria Sales', email: 'maria@demo.example' });
  sim.addCustomField(SUB, 'leads', { name: 'Budget', type: 'numeric' });
  // Fields of the kinds a "Change field" trigger sets, and the stages of seed 004's setup example.
  sim.addCustomField(SUB, 'leads', { name: 'Channel', type: 'select', enums: ['Email', 'Phone'] });
  sim.addCustomField(SUB, 'leads', { name: 'Interests', type: 'multiselect', enums: ['Cleaning', 'Upgrade'] });
  sim.addCustomField(SUB, 'leads', { name: 'VIP', type: 'checkbox' });
  sim.addCustomField(SUB, 'leads', { name: 'Next call', type: 'date' });
  sim.addCustomField(SUB, 'contacts', { name: 'Birthday', type: 'birthday' });
  sim.addPipeline(SUB, { name: 'Offers', statuses: ['Incoming leads', 'Qualified', 'Offer sent', 'Familiar with the offer'] });
  const company = sim.addCompany(SUB, { name: 'Globex' });
  const john = sim.addContact(SUB, { name: 'John Smith', first_name: 'John', last_name: 'Smith', email: 'john@client.example', company_id: company.id });
  const lead = sim.addLead(SUB, { name: 'Website redesign', price: 5000, responsible_user_id: maria.id, pipeline_id: pipeline!.id, contacts: [{ id: john.id, is_main: true }], company_id: company.id });
  // A list worth selecting for the list action: a dozen more leads, each with its own contact.
  const more = Array.from({ length: 12 }, (_, i) => {
    const c = sim.addContact(SUB, { name: `Client ${i + 1}`, first_name: `Client`, last_name: String(i + 1), email: `client${i + 1}@client.example` });
    return sim.addLead(SUB, { name: `Deal ${i + 1}`, price: 1000 * (i + 1), responsible_user_id: maria.id, pipeline_id: pipeline!.id, contacts: [c.id] });
  });
  // The fake Kommo page (widget/dev) is served on its own origin, as Kommo is: the backend must allow it.
  const widgetHost = await startWidgetHost({ port: WIDGET_PORT, rebuildOnLoad: true });

  const { server: smtp } = await startSandboxSmtp(SMTP_PORT);

  const config = loadConfig({
    ...process.env,
    KOMMO_CLIENT_ID: 'sandbox',
    KOMMO_CLIENT_SECRET: SECRET,
    KOMMO_REDIRECT_URI: REDIRECT,
    KOMMO_API_URL: `${kommo.url}/{subdomain}`,
    DATA_DIR: process.env.DATA_DIR ?? './data/sandbox',
    EMBEDDED_PG_PORT: process.env.EMBEDDED_PG_PORT ?? '54330',
    // The sandbox's SMTP server is on loopback, which mailbox hosts may not use by default.
    MAILBOX_PRIVATE_HOSTS: process.env.MAILBOX_PRIVATE_HOSTS || '127.0.0.1',
    CORS_EXTRA_ORIGINS: [process.env.CORS_EXTRA_ORIGINS, widgetHost.url].filter(Boolean).join(','),
  });
  const server = await startServer(config, createLogger(config.logLevel));
  await server.services.db.query('INSERT INTO accounts (id, subdomain) VALUES ($1, $2) ON CONFLICT DO NOTHING', [ACCOUNT_ID, SUB]);
  await server.services.tokens.store(ACCOUNT_ID, 'long_lived', { accessToken: sim.addAccessToken(SUB), refreshToken: null, expiresAt: null });
  // Demo templates, so the list action and the pipeline picker can be used by clicking alone.
  await seedDemoTemplates(server.services.templates, { accountId: ACCOUNT_ID, subdomain: SUB, userId: adminUserId!, isAdmin: true });

  const token = jwt.sign(
    { account_id: ACCOUNT_ID, subdomain: SUB, user_id: adminUserId, is_admin: true, iss: `https://${SUB}.kommo.com` },
    SECRET,
    { algorithm: 'HS256', audience: new URL(REDIRECT).origin, expiresIn: '12h' },
  );
  const base = config.publicUrl;
  await widgetHost.configure({
    backendUrl: base,
    secret: SECRET,
    audience: new URL(REDIRECT).origin,
    account: { id: ACCOUNT_ID, subdomain: SUB },
    users: [
      { id: adminUserId!, name: 'Admin', isAdmin: true },
      { id: maria.id, name: maria.name, isAdmin: false },
    ],
    leads: [lead, ...more].map((l) => ({ id: l.id, name: l.name })),
    contacts: [{ id: john.id, name: 'John Smith' }],
    companies: [{ id: company.id, name: 'Globex' }],
  });
  console.log(`
leadmail sandbox is running
  leadmail:        ${base}   (embedded PostgreSQL in ${config.dataDir})
  Kommo simulator: ${kommo.url}/${SUB}   (lead ${lead.id}, contact ${john.id})
  SMTP server:     127.0.0.1:${SMTP_PORT}   (prints every mail it receives)
  Widget in a fake Kommo: ${widgetHost.url}/   (open it in a browser: cards, lists, settings, pipeline)

Widget token (admin of account ${ACCOUNT_ID}, valid 12 h):
  export T='${token}'

Try:
  curl -s -H "X-Auth-Token: $T" -H 'Content-Type: application/json' ${base}/api/mailboxes -d '{"displayName":"Sandbox","fromName":"Maria","fromAddress":"maria@demo.example","smtp":{"host":"127.0.0.1","port":${SMTP_PORT},"security":"none","auth":false}}'
  curl -s -H "X-Auth-Token: $T" -H 'Content-Type: application/json' ${base}/api/preview -d '{"entityType":"leads","entityId":${lead.id},"subject":"Offer for {{contact.first_name}}","html":"<p>Hello {{contact.name}}, about {{lead.name}}</p>"}'
  curl -s -H "X-Auth-Token: $T" -H 'Content-Type: application/json' ${base}/api/emails -d '{"entityType":"leads","entityId":${lead.id},"mailboxId":"<id from the first call>","contactIds":[${john.id}],"subject":"Hi {{contact.first_name}}","html":"<p>Hello</p>"}'

Digital pipeline: create a pipeline action (its signed token is what the widget writes into
Kommo's action settings), then post the hook as Kommo does when the lead enters its stage:
  curl -s -H "X-Auth-Token: $T" ${base}/api/templates   # the demo templates "Offer" and "Welcome"
  curl -s -H "X-Auth-Token: $T" -H 'Content-Type: application/json' ${base}/api/pipeline-actions -d '{"name":"Offer on entry","templateId":"<id from the previous call>","delaySeconds":0}'
  curl -s -H 'Content-Type: application/json' ${base}/hooks/kommo/dp -d '{"account_id":${ACCOUNT_ID},"subdomain":"${SUB}","event":{"type":15,"data":{"id":${lead.id},"status_id":${lead.status_id},"pipeline_id":${lead.pipeline_id}},"time":0},"action":{"settings":{"widget":{"settings":{"action":"<token from the previous call>"}}}}}'

  Full API: ${base}/api/openapi.json
`);
  const stop = async (): Promise<void> => {
    await widgetHost.close();
    await server.stop();
    await kommo.close();
    smtp.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: Error) => {
  console.error(`sandbox failed to start: ${err.message}`);
  process.exit(1);
});
