/**
 * kill -9 of the leadmail process alone (what the OOM killer does: it picks the largest process)
 * leaves its embedded PostgreSQL running, orphaned, on the port and the data. Starting leadmail
 * again on the same DATA_DIR used to stop at "port already in use" until someone killed that
 * postgres by hand; now the new process stops the orphan cleanly and starts on the same data.
 * A second leadmail on the data of a running one is still refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { startKommoSimulator, type RunningKommoSimulator } from '../../server/sandbox/kommo-sim/index.js';
import { ACCOUNT_ID, SUB } from '../support/world.js';
import { widgetToken } from '../support/widget-token.js';
import { freePort, postmasterPid, startEmbeddedServer, processAlive, type EmbeddedServer } from './embedded-server.js';

let kommo: RunningKommoSimulator;
let dataDir: string;
let pgPort: number;
const servers: EmbeddedServer[] = [];

beforeAll(async () => {
  kommo = await startKommoSimulator();
  kommo.sim.addAccount({ subdomain: SUB, id: ACCOUNT_ID });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadmail-orphan-'));
  fs.chmodSync(dataDir, 0o755);
  pgPort = await freePort();
});
afterAll(async () => {
  for (const s of servers) if (s.proc.exitCode === null && s.proc.signalCode === null) await s.stop();
  // Whatever this file left running on the data (a failed assertion must not leak a postgres).
  const pid = postmasterPid(dataDir);
  if (pid !== null && processAlive(pid)) process.kill(pid, 'SIGQUIT');
  await kommo?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const start = async (): Promise<EmbeddedServer> => {
  const s = await startEmbeddedServer({ dataDir, pgPort, kommoUrl: kommo.url });
  servers.push(s);
  return s;
};
const token = widgetToken({ accountId: ACCOUNT_ID, subdomain: SUB, userId: 1 });

describe('leadmail killed alone, its embedded PostgreSQL left running', () => {
  it('starts again on the same data: the orphaned postgres is stopped, the data is kept', async () => {
    const first = await start();
    const created = await supertest(first.url)
      .post('/api/templates')
      .set('X-Auth-Token', token)
      .send({ name: 'Kept', subject: 'Hi', html: '<p>hi</p>' });
    expect(created.status).toBe(201);
    const orphan = postmasterPid(dataDir)!;

    await first.kill(); // the node process only
    expect(processAlive(orphan)).toBe(true);

    const second = await start();
    expect(processAlive(orphan)).toBe(false);
    expect(postmasterPid(dataDir)).not.toBe(orphan);
    const got = await supertest(second.url).get(`/api/templates/${created.body.id}`).set('X-Auth-Token', token);
    expect(got.status).toBe(200);
    expect(got.body.name).toBe('Kept');
  }, 120_000);

  it('refuses to start a second leadmail on the data of a running one, and leaves that one running', async () => {
    const running = servers.at(-1)!;
    await expect(start()).rejects.toThrow(/another leadmail \(pid \d+\) is running with its database in/);
    expect((await supertest(running.url).get('/health')).body).toEqual({ status: 'ok', db: 'ok' });
  }, 60_000);
});
