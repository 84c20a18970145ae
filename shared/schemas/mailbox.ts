/** Mailbox settings: validated by the server and reused by the widget's form. */
import { z } from 'zod';
import { EmailAddress, HostName, Port } from './common.js';
import { OneLine } from './strings.js';

export const MAILBOX_PRESETS = {
  gmail: {
    label: 'Gmail',
    smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' },
    imap: { host: 'imap.gmail.com', port: 993, tls: true },
    // Gmail allows ~500/day; stay under it (sending-rules.md).
    pacing: { messages: 1, seconds: 2 },
    dailyCap: 450,
    // Gmail's SMTP files its own copy in Sent.
    saveToSent: false,
  },
  google_workspace: {
    label: 'Google Workspace',
    smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' },
    imap: { host: 'imap.gmail.com', port: 993, tls: true },
    pacing: { messages: 1, seconds: 2 },
    dailyCap: 1800,
    saveToSent: false,
  },
  microsoft365: {
    label: 'Microsoft 365',
    smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls' },
    imap: { host: 'outlook.office365.com', port: 993, tls: true },
    // 30 messages/min published; 25/min leaves headroom.
    pacing: { messages: 25, seconds: 60 },
    dailyCap: 9000,
    saveToSent: false,
  },
  yandex: {
    label: 'Yandex Mail',
    smtp: { host: 'smtp.yandex.com', port: 465, security: 'tls' },
    imap: { host: 'imap.yandex.com', port: 993, tls: true },
    // A personal mailbox, like free Gmail: a few hundred mails a day, sent at a person's pace.
    pacing: { messages: 1, seconds: 2 },
    dailyCap: 450,
    saveToSent: true,
  },
  generic: {
    label: 'Other (hosting mailbox)',
    smtp: { host: '', port: 465, security: 'tls' },
    imap: { host: '', port: 993, tls: true },
    pacing: { messages: 1, seconds: 1 },
    dailyCap: 2000,
    saveToSent: true,
  },
} as const;
export type MailboxPreset = keyof typeof MAILBOX_PRESETS;
export const MailboxPresetName = z.enum(['gmail', 'google_workspace', 'microsoft365', 'yandex', 'generic']);

export const SmtpSecurity = z.enum(['none', 'starttls', 'tls']);

const secret = z.string().min(1, 'must not be empty').max(4096);

const MailboxFields = z.object({
  displayName: z.string().trim().min(1, 'is required').max(200),
  fromName: OneLine.max(200).default(''), // a line break would start a new mail header
  fromAddress: EmailAddress,
  replyTo: EmailAddress.nullable().optional(),
  preset: MailboxPresetName.default('generic'),
  smtp: z.object({
    host: HostName,
    port: Port,
    security: SmtpSecurity,
    auth: z.boolean().default(true),
    authType: z.enum(['password', 'oauth2']).default('password'),
    username: z.string().trim().max(320).nullable().optional(),
    /** Password, or the OAuth2 access token when authType is oauth2. Omit to keep the stored one. */
    password: secret.optional(),
    tlsRejectUnauthorized: z.boolean().default(true),
  }),
  imap: z
    .object({
      enabled: z.boolean().default(false),
      host: HostName.nullable().optional(),
      port: Port.nullable().optional(),
      tls: z.boolean().default(true),
      /** With tls off: STARTTLS is required (no login in plain text), as SMTP's 'starttls'. */
      requireStarttls: z.boolean().default(false),
      sameCredentials: z.boolean().default(true),
      username: z.string().trim().max(320).nullable().optional(),
      password: secret.optional(),
    })
    .default({ enabled: false, tls: true, requireStarttls: false, sameCredentials: true }),
  saveToSent: z.boolean().default(true),
  pacing: z
    .object({ messages: z.number().int().min(1).max(10_000), seconds: z.number().int().min(1).max(86_400) })
    .optional(),
  dailyCap: z.number().int().min(1).max(1_000_000).nullable().optional(),
  /** Admins may create a mailbox for another user of the account. */
  ownerUserId: z.number().int().positive().optional(),
});

function checkImap(
  v: { imap: { enabled: boolean; host?: string | null; port?: number | null; tls: boolean; requireStarttls: boolean } },
  ctx: z.RefinementCtx,
): void {
  if (v.imap.enabled && !v.imap.host) ctx.addIssue({ code: 'custom', path: ['imap', 'host'], message: 'is required when IMAP is enabled' });
  if (v.imap.enabled && !v.imap.port) ctx.addIssue({ code: 'custom', path: ['imap', 'port'], message: 'is required when IMAP is enabled' });
  if (v.imap.tls && v.imap.requireStarttls) {
    ctx.addIssue({ code: 'custom', path: ['imap', 'requireStarttls'], message: 'applies only with tls off (SSL/TLS already encrypts from the start)' });
  }
}

export const MailboxCreate = MailboxFields.superRefine((v, ctx) => {
  checkImap(v, ctx);
  if (v.smtp.auth && !v.smtp.password) ctx.addIssue({ code: 'custom', path: ['smtp', 'password'], message: 'is required when SMTP authentication is on' });
  if (v.smtp.auth && !v.smtp.username) ctx.addIssue({ code: 'custom', path: ['smtp', 'username'], message: 'is required when SMTP authentication is on' });
  if (v.imap.enabled && !v.imap.sameCredentials && !v.imap.password) {
    ctx.addIssue({ code: 'custom', path: ['imap', 'password'], message: 'is required unless IMAP uses the SMTP credentials' });
  }
});
export type MailboxCreate = z.infer<typeof MailboxCreate>;

/** Update = the full settings again; passwords may be omitted to keep the stored ones. */
export const MailboxUpdate = MailboxFields.superRefine(checkImap);
export type MailboxUpdate = z.infer<typeof MailboxUpdate>;

export const CheckStatus = z.enum(['unknown', 'green', 'grey', 'red']);

export const CheckPart = z.object({
  ok: z.boolean(),
  skipped: z.boolean().optional(),
  serverText: z.string().optional(),
  hint: z.string().optional(),
  kind: z.string().optional(),
  sentFolder: z.string().nullable().optional(),
});
export const CheckResult = z.object({
  status: CheckStatus,
  checkedAt: z.string(),
  smtp: CheckPart,
  imap: CheckPart,
});
export type CheckResult = z.infer<typeof CheckResult>;

export const MailboxView = z.object({
  id: z.string(),
  ownerUserId: z.number(),
  displayName: z.string(),
  fromName: z.string(),
  fromAddress: z.string(),
  replyTo: z.string().nullable(),
  preset: z.string(),
  smtp: z.object({
    host: z.string(),
    port: z.number(),
    security: SmtpSecurity,
    auth: z.boolean(),
    authType: z.enum(['password', 'oauth2']),
    username: z.string().nullable(),
    hasPassword: z.boolean(),
    tlsRejectUnauthorized: z.boolean(),
  }),
  imap: z.object({
    enabled: z.boolean(),
    host: z.string().nullable(),
    port: z.number().nullable(),
    tls: z.boolean(),
    requireStarttls: z.boolean(),
    sameCredentials: z.boolean(),
    username: z.string().nullable(),
    hasPassword: z.boolean(),
  }),
  saveToSent: z.boolean(),
  pacing: z.object({ messages: z.number(), seconds: z.number() }),
  dailyCap: z.number().nullable(),
  isGlobal: z.boolean(),
  paused: z.boolean(),
  pausedReason: z.string().nullable(),
  check: CheckResult.nullable(),
  checkStatus: CheckStatus,
});
export type MailboxView = z.infer<typeof MailboxView>;
