/**
 * Mailbox settings per user. Passwords are encrypted at rest and never leave the server:
 * views carry `hasPassword`, and an update without a new password keeps the stored one only
 * while it would still go to the endpoint it was typed for (secret-binding.ts).
 */
import crypto from 'node:crypto';
import type { CheckResult, MailboxCreate, MailboxUpdate, MailboxView } from '../../../shared/schemas/mailbox.js';
import { MAILBOX_PRESETS } from '../../../shared/schemas/mailbox.js';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import { withTransaction, type Db } from '../../infra/db/db.js';
import { invalid, notFound } from '../../errors.js';
import type { AuthContext } from '../../http/auth.js';
import { assertAdmin } from '../../http/auth.js';
import { getAccount, setGlobalMailbox } from '../accounts/accounts.repository.js';
import * as repo from './mailboxes.repository.js';
import type { MailboxRow, MailboxSettingsColumns } from './mailboxes.repository.js';
import { keptSecrets, type KeptSecrets } from './secret-binding.js';
import { pickSendingMailbox, type MailboxPrefs } from './mailbox-choice.js';

export class MailboxesService {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  async list(auth: AuthContext, all: boolean): Promise<MailboxView[]> {
    if (all) assertAdmin(auth, 'list every user’s mailboxes');
    const [rows, account] = await Promise.all([
      repo.listMailboxes(this.db, auth.accountId, all ? null : auth.userId),
      getAccount(this.db, auth.accountId),
    ]);
    return rows.map((r) => toView(r, account?.global_mailbox_id ?? null));
  }

  async get(auth: AuthContext, id: string): Promise<MailboxView> {
    const row = await this.getVisibleRow(auth, id);
    const account = await getAccount(this.db, auth.accountId);
    return toView(row, account?.global_mailbox_id ?? null);
  }

  /** A mailbox the caller may use or see: their own, the global one, or any for an admin. */
  /** "Name <address>" of the account's mailboxes among `ids`, for a listing that shows them (the statistics page). */
  labelsOf(accountId: number, ids: string[]): Promise<Map<string, string>> {
    return repo.labelsOf(this.db, accountId, ids);
  }

  async getVisibleRow(auth: AuthContext, id: string): Promise<MailboxRow> {
    const row = await repo.findMailbox(this.db, auth.accountId, id);
    if (!row) throw notFound('mailbox');
    if (row.owner_user_id !== auth.userId && !auth.isAdmin) {
      const account = await getAccount(this.db, auth.accountId);
      if (account?.global_mailbox_id !== id) throw notFound('mailbox');
    }
    return row;
  }

  /** The mailbox a send nobody typed goes from (mailbox-choice.ts); null when there is none. */
  pickForSend(accountId: number, prefs: MailboxPrefs): Promise<MailboxRow | null> {
    return pickSendingMailbox(this.db, accountId, prefs);
  }

  /** Only the owner or an admin may change or check a mailbox. */
  private async getEditableRow(auth: AuthContext, id: string): Promise<MailboxRow> {
    const row = await repo.findMailbox(this.db, auth.accountId, id);
    if (!row || (row.owner_user_id !== auth.userId && !auth.isAdmin)) throw notFound('mailbox');
    return row;
  }

  async create(auth: AuthContext, input: MailboxCreate): Promise<MailboxView> {
    const owner = this.ownerFor(auth, input.ownerUserId);
    const id = crypto.randomUUID();
    await repo.insertMailbox(this.db, id, auth.accountId, this.columns(input, owner, keptSecrets(null, input)));
    return this.get(auth, id);
  }

  async update(auth: AuthContext, id: string, input: MailboxUpdate): Promise<MailboxView> {
    await withTransaction(this.db, async (tx) => {
      const existing = await repo.findMailbox(tx, auth.accountId, id, true);
      if (!existing || (existing.owner_user_id !== auth.userId && !auth.isAdmin)) throw notFound('mailbox');
      const owner = input.ownerUserId !== undefined ? this.ownerFor(auth, input.ownerUserId) : existing.owner_user_id;
      const kept = keptSecrets(existing, input);
      const cols = this.columns(input, owner, kept);
      if (cols.smtp_auth && !cols.smtp_secret_enc) {
        throw invalid('smtp.password', kept.smtpDropped ?? 'is required when SMTP authentication is on');
      }
      if (cols.imap_enabled && !cols.imap_same_credentials && !cols.imap_secret_enc) {
        throw invalid('imap.password', kept.imapDropped);
      }
      await repo.updateMailboxSettings(tx, auth.accountId, id, cols);
    });
    return this.get(auth, id);
  }

  async remove(auth: AuthContext, id: string): Promise<void> {
    await this.getEditableRow(auth, id);
    await withTransaction(this.db, async (tx) => {
      await repo.softDeleteMailbox(tx, auth.accountId, id);
      // Nothing may leave from a deleted mailbox: its queue is cancelled, history is kept.
      await tx.query(
        `WITH c AS (UPDATE emails SET status = 'cancelled', updated_at = now()
           WHERE mailbox_id = $1 AND status = 'queued' RETURNING id, account_id)
         INSERT INTO email_events (email_id, account_id, type, data)
         SELECT id, account_id, 'cancelled', '{"reason":"mailbox deleted"}'::jsonb FROM c`,
        [id],
      );
      await tx.query('UPDATE accounts SET global_mailbox_id = NULL WHERE id = $1 AND global_mailbox_id = $2', [auth.accountId, id]);
    });
  }

  async setGlobal(auth: AuthContext, id: string | null): Promise<void> {
    assertAdmin(auth, 'choose the account’s global mailbox');
    if (id) {
      const row = await repo.findMailbox(this.db, auth.accountId, id);
      if (!row) throw notFound('mailbox');
    }
    await setGlobalMailbox(this.db, auth.accountId, id);
  }

  async getEditable(auth: AuthContext, id: string): Promise<MailboxRow> {
    return this.getEditableRow(auth, id);
  }

  private ownerFor(auth: AuthContext, requested: number | undefined): number {
    if (requested === undefined || requested === auth.userId) return auth.userId;
    assertAdmin(auth, 'manage another user’s mailbox');
    return requested;
  }

  /** `kept`: the stored secrets an omitted password may reuse (secret-binding.ts). */
  private columns(input: MailboxCreate | MailboxUpdate, owner: number, kept: KeptSecrets): MailboxSettingsColumns {
    const preset = MAILBOX_PRESETS[input.preset];
    const smtpSecret = input.smtp.password !== undefined ? this.box.encrypt(input.smtp.password) : kept.smtp;
    const imapSecret = input.imap.password !== undefined ? this.box.encrypt(input.imap.password) : kept.imap;
    return {
      owner_user_id: owner,
      display_name: input.displayName,
      from_name: input.fromName,
      from_address: input.fromAddress,
      reply_to: input.replyTo ?? null,
      preset: input.preset,
      smtp_host: input.smtp.host,
      smtp_port: input.smtp.port,
      smtp_security: input.smtp.security,
      smtp_auth: input.smtp.auth,
      auth_type: input.smtp.authType,
      smtp_user: input.smtp.username ?? null,
      smtp_secret_enc: input.smtp.auth ? smtpSecret : null,
      tls_reject_unauthorized: input.smtp.tlsRejectUnauthorized,
      imap_enabled: input.imap.enabled,
      imap_host: input.imap.host ?? null,
      imap_port: input.imap.port ?? null,
      imap_tls: input.imap.tls,
      imap_require_starttls: input.imap.requireStarttls,
      imap_same_credentials: input.imap.sameCredentials,
      imap_user: input.imap.username ?? null,
      imap_secret_enc: imapSecret,
      save_to_sent: input.saveToSent,
      pacing_messages: input.pacing?.messages ?? preset.pacing.messages,
      pacing_seconds: input.pacing?.seconds ?? preset.pacing.seconds,
      daily_cap: input.dailyCap === undefined ? preset.dailyCap : input.dailyCap,
    };
  }
}

export function toView(r: MailboxRow, globalId: string | null): MailboxView {
  return {
    id: r.id,
    ownerUserId: r.owner_user_id,
    displayName: r.display_name,
    fromName: r.from_name,
    fromAddress: r.from_address,
    replyTo: r.reply_to,
    preset: r.preset,
    smtp: {
      host: r.smtp_host,
      port: r.smtp_port,
      security: r.smtp_security,
      auth: r.smtp_auth,
      authType: r.auth_type,
      username: r.smtp_user,
      hasPassword: !!r.smtp_secret_enc,
      tlsRejectUnauthorized: r.tls_reject_unauthorized,
    },
    imap: {
      enabled: r.imap_enabled,
      host: r.imap_host,
      port: r.imap_port,
      tls: r.imap_tls,
      requireStarttls: r.imap_require_starttls,
      sameCredentials: r.imap_same_credentials,
      username: r.imap_user,
      hasPassword: !!r.imap_secret_enc,
    },
    saveToSent: r.save_to_sent,
    pacing: { messages: r.pacing_messages, seconds: r.pacing_seconds },
    dailyCap: r.daily_cap,
    isGlobal: globalId === r.id,
    paused: r.paused,
    pausedReason: r.paused_reason,
    check: (r.check_result as CheckResult | null) ?? null,
    checkStatus: r.check_status,
  };
}
