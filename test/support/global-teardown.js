import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export default async function globalTeardown() {
  const t = globalThis.__LEADMAIL_TEST__;
  if (!t) return;
  spawnSync(t.dovecot.bin, ['-c', t.dovecot.conf, 'stop']);
  await t.pg.stop();
  fs.rmSync(t.root, { recursive: true, force: true });
}
