/** Shared steps of the sending tests: a mailbox, a template, an email, and waiting for its status. */
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from './smtp-sink.js';
import { eventually } from './eventually.js';
import { mailboxPayload } from './mailbox-payload.js';
import crypto from 'node:crypto';
import { ACCOUNT_ID, startWorld, type World } from './world.js';
import { enqueueBatch, type BulkBatch } from '../../server/modules/emails/bulk-enqueue.js';
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

/** The SMTP login most tests give Maria's mailbox. */
export const MARIA_SMTP = { user: 'maria', pass: 'smtp-secret' };

/** The world most sending tests share: the app and an SMTP sink (by default one that wants Maria's login). */
export async function startWorldWithSink(env: Record<string, string> = {}, sinkOptions: SmtpSinkOptions = { auth: MARIA_SMTP }): Promise<{ w: World; sink: SmtpSink }> {
  const w = await startWorld(env);
  return { w, sink: await startSmtpSink(sinkOptions) };
}

export async function stopWorldWithSink(w: World, sink: SmtpSink): Promise<void> {
  await sink.close();
  await w.stop();
}

/** Our email id, from the header every mail carries. */
export const emailIdOf = (m: SmtpSink['messages'][number]): string => m.parsed.headers.get('x-leadmail-email-id') as string;

/**
 * `n` mails queued through the door a mailing hands its batches to (bulk-enqueue), each to its own
 * address `<tag>-<i>@client.example` for lead `entityBase + i`; `batch` adds to the batch (a start
 * time, a mailing id).
 */
export async function queueBulk(
  w: World,
  mailboxId: string,
  n: number,
  opts: { tag: string; from?: number; entityBase?: number; batch?: Partial<BulkBatch>; onInserted?: () => Promise<void> },
): Promise<string[]> {
  const from = opts.from ?? 0;
  const mails = Array.from({ length: n }, (_, k) => from + k).map((i) => ({
    id: crypto.randomUUID(),
    entityType: 'leads' as const,
    entityId: (opts.entityBase ?? 700_000) + i,
    to: [`${opts.tag}-${i}@client.example`],
    contactIds: [],
    subject: `${opts.tag} ${i}`,
    html: `<p>${opts.tag} ${i}</p>`,
  }));
  await enqueueBatch(
    w.server.services.db,
    w.server.services.queue,
    'test.example',
    {
      accountId: ACCOUNT_ID,
      userId: w.user.userId,
      mailboxId,
      templateId: null,
      linkAttachments: [],
      attachmentIds: [],
      points: { sent: [], opened: [], notOpened: null, failed: [] },
      ...opts.batch,
      mails,
    },
    opts.onInserted,
  );
  return mails.map((m) => m.id);
}
