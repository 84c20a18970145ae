/** Shared steps of the sending tests: a mailbox, a template, an email, and waiting for its status. */
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';
import { eventually } from './eventually.js';
import { mailboxPayload } from './mailbox-payload.js';
import { startWorld, type World } from './world.js';
import type { TokenClaims } from './widget-token.js';
import type { EmailView } from '../../shared/schemas/email.js';

export async function createMailbox(w: World, who: TokenClaims, sink: SmtpSink, opts: Parameters<typeof mailboxPayload>[1] = {}): Promise<string> {
  const res = await w.api(who).post('/api/mailboxes').send(mailboxPayload(sink, opts));
  expect(res.status).toBe(201);
  return res.body.id as string;
}

export async function createTemplate(w: World, who: TokenClaims, body: Record<string, unknown>): Promise<string> {
  const res = await w.api(who).post('/api/templates').send({ name: 'Offer', ...body });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

export async function sendEmail(w: World, who: TokenClaims, body: Record<string, unknown>): Promise<string> {
  const res = await w.api(who).post('/api/emails').send({ entityType: 'leads', entityId: w.crm.leadId, ...body });
  if (res.status !== 202) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function waitForStatus(w: World, who: TokenClaims, id: string, status: string, timeoutMs = 15_000): Promise<EmailView> {
  return eventually(
    async () => {
      const res = await w.api(who).get(`/api/emails/${id}`);
      expect(res.body.status).toBe(status);
      return res.body;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** The world most sending tests share: the app and an SMTP sink that wants Maria's login. */
export async function startWorldWithSink(env: Record<string, string> = {}): Promise<{ w: World; sink: SmtpSink }> {
  const w = await startWorld(env);
  return { w, sink: await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } }) };
}

export async function stopWorldWithSink(w: World, sink: SmtpSink): Promise<void> {
  await sink.close();
  await w.stop();
}

/** Our email id, from the header every mail carries. */
export const emailIdOf = (m: SmtpSink['messages'][number]): string => m.parsed.headers.get('x-leadmail-email-id') as string;
