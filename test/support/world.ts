/**
 * A whole product for one test file: a fresh database, the Kommo simulator with one account,
 * a leadmail server process (real HTTP, real queue), and helpers to call it as a widget user.
 *
 *   const w = await startWorld();
 *   const res = await w.api(USER).post('/api/mailboxes').send({...});
 *   await w.stop();
 */
import supertest from 'supertest';
import type { Test } from 'supertest';
import { loadConfig } from '../../server/infra/config/config.js';
import { createLogger } from '../../server/infra/log/logger.js';
import { startServer, type RunningServer } from '../../server/app/server.js';
import { startKommoSimulator, type RunningKommoSimulator } from '../../server/sandbox/kommo-sim/index.js';
import { createTestDatabase } from './db.js';
import { TEST_CLIENT_SECRET, TEST_REDIRECT_URI, widgetToken, type TokenClaims } from './widget-token.js';

export const ENCRYPTION_KEY = 'a'.repeat(64);
export const SUB = 'acme';
export const ACCOUNT_ID = 1001;

export interface World {
  db: string;
  kommo: RunningKommoSimulator;
  server: RunningServer;
  /** Ids in the simulator's "acme" account. */
  crm: { adminUserId: number; userId: number; otherUserId: number; leadId: number; contactId: number; secondContactId: number; companyId: number; pipelineId: number; budgetFieldId: number };
  admin: TokenClaims;
  user: TokenClaims;
  otherUser: TokenClaims;
  /** supertest bound to the server with a widget token for `who`. */
  api(who: TokenClaims): ApiClient;
  /** Stop this server process and start another on the same database (a restart). */
  restart(env?: Record<string, string>): Promise<void>;
  /** Another server process on the same database, beside this one (the caller stops it). */
  startPeer(env?: Record<string, string>): Promise<RunningServer>;
  stop(): Promise<void>;
}

export interface ApiClient {
  get(path: string): Test;
  post(path: string): Test;
  put(path: string): Test;
  patch(path: string): Test;
  delete(path: string): Test;
}

export function testEnv(databaseUrl: string, kommoUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    PUBLIC_URL: 'http://127.0.0.1:9',
    DATABASE_URL: databaseUrl,
    ENCRYPTION_KEY,
    KOMMO_CLIENT_ID: 'test-client-id',
    KOMMO_CLIENT_SECRET: TEST_CLIENT_SECRET,
    KOMMO_REDIRECT_URI: TEST_REDIRECT_URI,
    KOMMO_API_URL: `${kommoUrl}/{subdomain}`,
    LOG_LEVEL: 'silent',
    SEND_RETRY_BASE_MS: '200',
    SEND_MAX_ATTEMPTS: '4',
    QUEUE_POLL_MS: '200',
    // Tests change the simulator's fields and pipelines between calls: always read them fresh.
    CRM_METADATA_TTL_MS: '0',
    // Each job run leaves a lock timer this long, which would keep Jest alive (platform-notes.md).
    QUEUE_LOCK_LIFETIME_MS: '2000',
    // The SMTP sinks and Dovecot listen on loopback, which mailbox hosts may not use by default.
    MAILBOX_PRIVATE_HOSTS: '127.0.0.1',
    ...extra,
  };
}

export async function startWorld(extraEnv: Record<string, string> = {}): Promise<World> {
  const db = await createTestDatabase();
  const kommo = await startKommoSimulator();
  const sim = kommo.sim;
  const { adminUserId, pipeline } = sim.addAccount({ subdomain: SUB, id: ACCOUNT_ID });
  const user = sim.addUser(SUB, { name: 'Maria Sales', email: 'maria@acme.example' });
  const other = sim.addUser(SUB, { name: 'Pedro Sales', email: 'pedro@acme.example' });
  const budget = sim.addCustomField(SUB, 'leads', { name: 'Budget', type: 'numeric' });
  const company = sim.addCompany(SUB, { name: 'Globex' });
  const contact = sim.addContact(SUB, { name: 'John Smith', first_name: 'John', last_name: 'Smith', email: 'john@client.example', company_id: company.id });
  const second = sim.addContact(SUB, { name: 'Jane Doe', first_name: 'Jane', last_name: 'Doe', email: 'jane@client.example' });
  const lead = sim.addLead(SUB, {
    name: 'Big deal',
    price: 5000,
    responsible_user_id: user.id,
    pipeline_id: pipeline!.id,
    contacts: [{ id: contact.id, is_main: true }, second.id],
    company_id: company.id,
    custom_fields_values: [{ field_id: budget.id, values: [{ value: 12000 }] }],
  });

  const log = createLogger('silent');
  const boot = async (env: Record<string, string>): Promise<RunningServer> => {
    const s = await startServer(loadConfig(testEnv(db, kommo.url, { ...extraEnv, ...env })), log);
    // The account installed the integration with a long-lived token (kommo-reference.md).
    const token = sim.addAccessToken(SUB, { ttlSec: 365 * 24 * 3600 });
    await s.services.db.query('INSERT INTO accounts (id, subdomain) VALUES ($1, $2) ON CONFLICT DO NOTHING', [ACCOUNT_ID, SUB]);
    await s.services.tokens.store(ACCOUNT_ID, 'long_lived', { accessToken: token, refreshToken: null, expiresAt: null });
    return s;
  };
  let server = await boot({});

  const world: World = {
    db,
    kommo,
    get server() {
      return server;
    },
    crm: {
      adminUserId: adminUserId!,
      userId: user.id,
      otherUserId: other.id,
      leadId: lead.id,
      contactId: contact.id,
      secondContactId: second.id,
      companyId: company.id,
      pipelineId: pipeline!.id,
      budgetFieldId: budget.id,
    },
    admin: { accountId: ACCOUNT_ID, subdomain: SUB, userId: adminUserId!, isAdmin: true },
    user: { accountId: ACCOUNT_ID, subdomain: SUB, userId: user.id },
    otherUser: { accountId: ACCOUNT_ID, subdomain: SUB, userId: other.id },
    api(who) {
      const agent = supertest(server.url);
      const token = widgetToken(who);
      return {
        get: (p) => agent.get(p).set('X-Auth-Token', token),
        post: (p) => agent.post(p).set('X-Auth-Token', token),
        put: (p) => agent.put(p).set('X-Auth-Token', token),
        patch: (p) => agent.patch(p).set('X-Auth-Token', token),
        delete: (p) => agent.delete(p).set('X-Auth-Token', token),
      };
    },
    async restart(env = {}) {
      await server.stop();
      server = await boot(env);
    },
    startPeer(env = {}) {
      return startServer(loadConfig(testEnv(db, kommo.url, { ...extraEnv, ...env })), log);
    },
    async stop() {
      await server.stop();
      await kommo.close();
    },
  };
  return world;
}
