/**
 * A stored password follows the exact endpoint it was typed for: an edit that omits it may not
 * send it to another server or over weaker TLS. And IMAP without TLS can require STARTTLS.
 */
import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { IMAP_PASSWORD, imapPort, imapUser } from '../support/imap-client.js';
import { mailboxPayload } from '../support/mailbox-payload.js';
import { useWorldAndSink, MARIA_SMTP } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
useWorldAndSink({ sink: { auth: MARIA_SMTP } }, (x) => ({ w, sink } = x));

type Payload = Record<string, unknown> & { smtp: Record<string, unknown>; imap: Record<string, unknown> };

/** Same-credentials IMAP on the test Dovecot, SMTP on the sink over STARTTLS. */
function sameCredsPayload(): Payload {
  const p = mailboxPayload(sink) as Payload;
  p.smtp.security = 'starttls';
  p.imap = { enabled: true, host: '127.0.0.1', port: imapPort(), tls: true, sameCredentials: true };
  return p;
}

/** Own IMAP login on the test Dovecot, STARTTLS required. */
function ownImapPayload(): Payload {
  const p = mailboxPayload(sink, { imapUser: imapUser(0) }) as Payload;
  p.imap.requireStarttls = true;
  return p;
}

/** The edit as the widget sends it: everything again, no passwords. */
function withoutPasswords(p: Payload, change: (p: Payload) => void): Payload {
  const copy = structuredClone(p);
  delete copy.smtp.password;
  delete copy.imap.password;
  change(copy);
  return copy;
}

async function create(p: Payload): Promise<string> {
  const res = await w.api(w.user).post('/api/mailboxes').send(p);
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** The edit is refused with 400 naming `field`, and nothing stored changes. */
async function expectRefused(id: string, edit: Payload, field: string, why: RegExp): Promise<void> {
  const before = await w.api(w.admin).get(`/api/mailboxes/${id}`);
  const res = await w.api(w.admin).put(`/api/mailboxes/${id}`).send(edit);
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION');
  expect(res.body.error.details.issues).toEqual([{ path: field, message: expect.stringMatching(why) }]);
  expect((await w.api(w.admin).get(`/api/mailboxes/${id}`)).body).toEqual(before.body);
}

describe('an admin editing a user’s mailbox without typing the password', () => {
  it('cannot weaken SMTP TLS: STARTTLS → none, or certificate checks off', async () => {
    const p = sameCredsPayload();
    const id = await create(p);
    await expectRefused(id, withoutPasswords(p, (e) => (e.smtp.security = 'none')), 'smtp.password', /SMTP server, port, user name or security changed/);
    await expectRefused(id, withoutPasswords(p, (e) => (e.smtp.tlsRejectUnauthorized = false)), 'smtp.password', /security changed/);
    // Giving IMAP its own login needs that login's password.
    const own = withoutPasswords(p, (e) => Object.assign(e.imap, { sameCredentials: false, username: imapUser(0) }));
    await expectRefused(id, own, 'imap.password', /^is required unless IMAP uses the SMTP credentials$/);
    // The same edit with the password typed again is fine.
    const typed = withoutPasswords(p, (e) => Object.assign(e.smtp, { security: 'none', password: 'smtp-secret' }));
    expect((await w.api(w.admin).put(`/api/mailboxes/${id}`).send(typed)).status).toBe(200);
  });

  it('cannot carry the SMTP password to a new IMAP host in two steps (IMAP off, moved, then on)', async () => {
    const p = sameCredsPayload();
    const id = await create(p);
    // Step 1: IMAP switched off and pointed elsewhere; no secret goes anywhere, so it is accepted.
    const off = withoutPasswords(p, (e) => Object.assign(e.imap, { enabled: false, host: 'imap.attacker.example' }));
    expect((await w.api(w.admin).put(`/api/mailboxes/${id}`).send(off)).status).toBe(200);
    // Step 2: switched on there: the SMTP password would log in to it, so it must be typed again.
    const on = withoutPasswords(p, (e) => Object.assign(e.imap, { enabled: true, host: 'imap.attacker.example' }));
    await expectRefused(id, on, 'smtp.password', /IMAP uses the SMTP credentials/);
  });

  it('may strengthen TLS on the same server and keep the password', async () => {
    const p = mailboxPayload(sink) as Payload; // security none
    const id = await create(p);
    const res = await w.api(w.admin).put(`/api/mailboxes/${id}`).send(withoutPasswords(p, (e) => (e.smtp.security = 'starttls')));
    expect(res.status).toBe(200);
    expect(res.body.smtp.hasPassword).toBe(true);
  });

  it('cannot move same-credentials IMAP to another host or weaken its TLS (the SMTP password would go there)', async () => {
    const p = sameCredsPayload();
    const id = await create(p);
    const moved = withoutPasswords(p, (e) => (e.imap.host = 'imap.attacker.example'));
    await expectRefused(id, moved, 'smtp.password', /IMAP uses the SMTP credentials and the IMAP server, port or security changed/);
    await expectRefused(id, withoutPasswords(p, (e) => (e.imap.port = 143)), 'smtp.password', /IMAP uses the SMTP credentials/);
    await expectRefused(id, withoutPasswords(p, (e) => (e.imap.tls = false)), 'smtp.password', /IMAP uses the SMTP credentials/);
    // SSL/TLS → required STARTTLS is not weaker: the password still never travels in plain text.
    const starttls = withoutPasswords(p, (e) => Object.assign(e.imap, { tls: false, requireStarttls: true }));
    expect((await w.api(w.admin).put(`/api/mailboxes/${id}`).send(starttls)).status).toBe(200);
    // Typing the SMTP password again allows the move.
    moved.smtp.password = 'smtp-secret';
    expect((await w.api(w.admin).put(`/api/mailboxes/${id}`).send(moved)).status).toBe(200);
  });

  it('cannot turn "same credentials" on for an IMAP server that had its own login', async () => {
    const p = ownImapPayload();
    const id = await create(p);
    await expectRefused(id, withoutPasswords(p, (e) => (e.imap.sameCredentials = true)), 'smtp.password', /IMAP uses the SMTP credentials/);
  });

  it('cannot move an own-login IMAP server or drop its STARTTLS requirement', async () => {
    const p = ownImapPayload();
    const id = await create(p);
    await expectRefused(id, withoutPasswords(p, (e) => (e.imap.host = 'imap.attacker.example')), 'imap.password', /IMAP server, port, user name or security changed/);
    await expectRefused(id, withoutPasswords(p, (e) => (e.imap.requireStarttls = false)), 'imap.password', /security changed/);
    // An edit that leaves every endpoint alone keeps both passwords.
    const renamed = await w.api(w.admin).put(`/api/mailboxes/${id}`).send(withoutPasswords(p, (e) => (e.displayName = 'Renamed')));
    expect(renamed.status).toBe(200);
    expect(renamed.body.smtp.hasPassword).toBe(true);
    expect(renamed.body.imap.hasPassword).toBe(true);
  });
});

describe('IMAP STARTTLS required', () => {
  it('is refused together with SSL/TLS, naming the field', async () => {
    const p = ownImapPayload();
    p.imap.tls = true;
    const res = await w.api(w.user).post('/api/mailboxes').send(p);
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['body.imap.requireStarttls']);
  });

  it('against a server without STARTTLS (the test Dovecot): IMAP fails with a clear STARTTLS message', async () => {
    const id = await create(ownImapPayload());
    expect((await w.api(w.user).get(`/api/mailboxes/${id}`)).body.imap).toMatchObject({ tls: false, requireStarttls: true });
    const res = await w.api(w.user).post(`/api/mailboxes/${id}/check`);
    expect(res.body.smtp.ok).toBe(true);
    expect(res.body.imap).toMatchObject({ ok: false, kind: 'permanent' });
    expect(res.body.imap.hint).toMatch(/does not offer STARTTLS on this port, and this mailbox requires it, so no login was sent/);
    // Without the requirement the same server works (opportunistic STARTTLS, as before).
    const p = ownImapPayload();
    p.imap.requireStarttls = false;
    p.imap.password = IMAP_PASSWORD;
    const open = await create(p);
    expect((await w.api(w.user).post(`/api/mailboxes/${open}/check`)).body.imap.ok).toBe(true);
  });
});
