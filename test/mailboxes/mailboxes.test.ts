import net from 'node:net';
import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { imapUser } from '../support/imap-client.js';
import { mailboxPayload } from '../support/mailbox-payload.js';
import { useWorldAndSink, MARIA_SMTP } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
useWorldAndSink({ sink: { auth: MARIA_SMTP } }, (x) => ({ w, sink } = x));

/** Secrets that must never appear in any API response. */
const SECRETS = ['smtp-secret', 'secret', 'wrong-password'];
function expectNoSecrets(body: unknown): void {
  const text = JSON.stringify(body);
  for (const s of SECRETS) expect(text).not.toContain(`"${s}"`);
  expect(text).not.toMatch(/v1\.[A-Za-z0-9_-]{16}\./); // no ciphertext either
}

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A TCP listener that is not a mail server: `greet` writes whatever it says on connect. */
async function listen(greet: (socket: net.Socket) => void): Promise<net.Server> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
    greet(socket);
  });
  // close() waits for open connections: a silent listener's clients would hold it open.
  const close = srv.close.bind(srv);
  srv.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as typeof srv.close;
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return srv;
}

describe('mailboxes', () => {
  it('creates a mailbox, hides the password and keeps it when edited without one', async () => {
    const created = await w.api(w.user).post('/api/mailboxes').send(mailboxPayload(sink));
    expect(created.status).toBe(201);
    expect(created.body.smtp.hasPassword).toBe(true);
    expect(created.body.smtp).not.toHaveProperty('password');
    expect(created.body.pacing).toEqual({ messages: 1, seconds: 1 });
    expectNoSecrets(created.body);

    const edit = mailboxPayload(sink);
    delete (edit.smtp as Record<string, unknown>).password;
    edit.displayName = 'Renamed';
    const updated = await w.api(w.user).put(`/api/mailboxes/${created.body.id}`).send(edit);
    expect(updated.status).toBe(200);
    expect(updated.body.displayName).toBe('Renamed');
    expect(updated.body.smtp.hasPassword).toBe(true);

    // The kept password still works: the check authenticates against the sink.
    const check = await w.api(w.user).post(`/api/mailboxes/${created.body.id}/check`);
    expect(check.body.smtp.ok).toBe(true);

    const list = await w.api(w.user).get('/api/mailboxes');
    expect(list.body.map((m: { id: string }) => m.id)).toContain(created.body.id);
    expectNoSecrets(list.body);
  });

  it('asks for the password again when the server or user name changes, so it never goes to another host', async () => {
    const created = await w.api(w.user).post('/api/mailboxes').send(mailboxPayload(sink));
    const moved = mailboxPayload(sink);
    delete (moved.smtp as Record<string, unknown>).password;
    (moved.smtp as Record<string, unknown>).host = 'smtp.elsewhere.example';
    const res = await w.api(w.user).put(`/api/mailboxes/${created.body.id}`).send(moved);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^smtp\.password: is required/);
    const after = await w.api(w.user).get(`/api/mailboxes/${created.body.id}`);
    expect(after.body.smtp.host).toBe(sink.host);
  });

  it('stores passwords encrypted at rest', async () => {
    const created = await w.api(w.user).post('/api/mailboxes').send(mailboxPayload(sink, { imapUser: imapUser(0) }));
    const row = await w.server.services.db.query('SELECT smtp_secret_enc, imap_secret_enc FROM mailboxes WHERE id = $1', [created.body.id]);
    expect(row.rows[0].smtp_secret_enc).toMatch(/^v1\./);
    expect(row.rows[0].smtp_secret_enc).not.toContain('smtp-secret');
    expect(row.rows[0].imap_secret_enc).not.toContain('secret"');
  });

  it('names the field and the problem on bad input, and changes nothing', async () => {
    const bad = mailboxPayload(sink);
    (bad.smtp as Record<string, unknown>).port = 70000;
    bad.fromAddress = 'not-an-address';
    const res = await w.api(w.user).post('/api/mailboxes').send(bad);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION');
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.fromAddress', 'body.smtp.port']));

    const before = await w.api(w.user).get('/api/mailboxes');
    const target = before.body[0];
    const badEdit = mailboxPayload(sink, { imapUser: null });
    (badEdit.imap as Record<string, unknown>) = { enabled: true };
    const edit = await w.api(w.user).put(`/api/mailboxes/${target.id}`).send(badEdit);
    expect(edit.status).toBe(400);
    expect(edit.body.error.message).toMatch(/imap\.host/);
    const after = await w.api(w.user).get(`/api/mailboxes/${target.id}`);
    expect(after.body).toEqual(target);
  });

  describe('check', () => {
    it('is green when SMTP and IMAP work, and finds the Sent folder', async () => {
      const mb = await w.api(w.user).post('/api/mailboxes').send(mailboxPayload(sink, { imapUser: imapUser(0) }));
      const res = await w.api(w.user).post(`/api/mailboxes/${mb.body.id}/check`);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('green');
      expect(res.body.imap.sentFolder).toBe('Sent');
      const stored = await w.api(w.user).get(`/api/mailboxes/${mb.body.id}`);
      expect(stored.body.checkStatus).toBe('green');
      expect(stored.body.check.status).toBe('green');
    });

    it('is grey when IMAP is off', async () => {
      const mb = await w.api(w.user).post('/api/mailboxes').send(mailboxPayload(sink));
      const res = await w.api(w.user).post(`/api/mailboxes/${mb.body.id}/check`);
      expect(res.body.status).toBe('grey');
      expect(res.body.imap.skipped).toBe(true);
    });

    it('is grey when SMTP works but IMAP login fails, with Dovecot’s own words', async () => {
      const mb = await w.api(w.user).post('/api/mailboxes').send(mailboxPayload(sink, { imapUser: imapUser(0), imapPass: 'wrong-password' }));
      const res = await w.api(w.user).post(`/api/mailboxes/${mb.body.id}/check`);
      expect(res.body.status).toBe('grey');
      expect(res.body.imap.ok).toBe(false);
      expect(res.body.imap.kind).toBe('auth');
      expect(res.body.imap.serverText).toMatch(/Authentication failed/i);
      expect(res.body.imap.hint).toBeTruthy();
      expectNoSecrets(res.body);
    });

    it('is red with the server’s reply when the SMTP password is wrong', async () => {
      const mb = await w.api(w.user).post('/api/mailboxes').send(mailboxPayload(sink, { smtpPass: 'wrong-password' }));
      const res = await w.api(w.user).post(`/api/mailboxes/${mb.body.id}/check`);
      expect(res.body.status).toBe('red');
      expect(res.body.smtp.kind).toBe('auth');
      expect(res.body.smtp.serverText).toMatch(/535/);
      expect(res.body.smtp.hint).toMatch(/password/i);
      expectNoSecrets(res.body);
    });

    it('answers the same short text whatever non-mail listener is on the port, and never echoes what it sent', async () => {
      const BANNER = 'secret-internal-build-7.3';
      const listeners = await Promise.all([
        listen((s) => s.write(`HTTP/1.1 400 Bad Request\r\nServer: nginx/1.18.0 ${BANNER}\r\nContent-Length: 0\r\n\r\n`)),
        listen((s) => s.write(`SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1 ${BANNER}\r\n`)),
        listen(() => {}), // silence
      ]);
      try {
        const ports = [...listeners.map((l) => (l.address() as net.AddressInfo).port), await closedPort()];
        // Each port with plain and with TLS settings, SMTP and IMAP both pointed at it.
        const variants = ports.flatMap((port) => [false, true].map((tls) => ({ port, tls })));
        const results = await Promise.all(
          variants.map(async ({ port, tls }) => {
            const payload = mailboxPayload(sink, { imapUser: imapUser(0) });
            Object.assign(payload.smtp as object, { port, security: tls ? 'tls' : 'none' });
            Object.assign(payload.imap as object, { port, tls });
            const mb = await w.api(w.user).post('/api/mailboxes').send(payload);
            return (await w.api(w.user).post(`/api/mailboxes/${mb.body.id}/check`)).body;
          }),
        );
        for (const r of results) {
          expect(r.status).toBe('red');
          expect(r.smtp).toEqual(results[0].smtp);
          expect(r.imap).toEqual(results[0].imap);
          expect(JSON.stringify(r)).not.toMatch(new RegExp(`${BANNER}|SSH-2|OpenSSH|HTTP/1|nginx|ECONNREFUSED|SSL routines`));
        }
        expect(results[0].smtp).toMatchObject({ ok: false, serverText: 'No SMTP server answered at this host and port.' });
        expect(results[0].smtp.hint).toMatch(/security setting matches the port/);
        expect(results[0].imap).toMatchObject({ ok: false, serverText: 'No IMAP server answered at this host and port.' });
      } finally {
        await Promise.all(listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
      }
    });
  });

  describe('ownership', () => {
    it('another user of the account cannot see or change my mailbox; an admin can', async () => {
      const mb = await w.api(w.user).post('/api/mailboxes').send(mailboxPayload(sink));
      expect((await w.api(w.otherUser).get(`/api/mailboxes/${mb.body.id}`)).status).toBe(404);
      expect((await w.api(w.otherUser).put(`/api/mailboxes/${mb.body.id}`).send(mailboxPayload(sink))).status).toBe(404);
      expect((await w.api(w.otherUser).post(`/api/mailboxes/${mb.body.id}/check`)).status).toBe(404);
      expect((await w.api(w.admin).get(`/api/mailboxes/${mb.body.id}`)).status).toBe(200);
    });

    it('only an admin may set the global mailbox, which then shows for everyone', async () => {
      const mb = await w.api(w.admin).post('/api/mailboxes').send(mailboxPayload(sink));
      const denied = await w.api(w.user).put('/api/account/global-mailbox').send({ mailboxId: mb.body.id });
      expect(denied.status).toBe(403);
      const ok = await w.api(w.admin).put('/api/account/global-mailbox').send({ mailboxId: mb.body.id });
      expect(ok.status).toBe(204);
      const list = await w.api(w.otherUser).get('/api/mailboxes');
      const global = list.body.find((m: { id: string }) => m.id === mb.body.id);
      expect(global.isGlobal).toBe(true);
      await w.api(w.admin).put('/api/account/global-mailbox').send({ mailboxId: null });
    });

    it('a user cannot create a mailbox for someone else', async () => {
      const res = await w.api(w.user).post('/api/mailboxes').send({ ...mailboxPayload(sink), ownerUserId: w.crm.otherUserId });
      expect(res.status).toBe(403);
    });
  });
});
