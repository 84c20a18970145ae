import type { Queryable } from '../../infra/db/db.js';

export interface MailboxRow {
  id: string;
  account_id: number;
  owner_user_id: number;
  display_name: string;
  from_name: string;
  from_address: string;
  reply_to: string | null;
  preset: string;
  smtp_host: string;
  smtp_port: number;
  smtp_security: 'none' | 'starttls' | 'tls';
  smtp_auth: boolean;
  auth_type: 'password' | 'oauth2';
  smtp_user: string | null;
  smtp_secret_enc: string | null;
  tls_reject_unauthorized: boolean;
  imap_enabled: boolean;
  imap_host: string | null;
  imap_port: number | null;
  imap_tls: boolean;
  imap_require_starttls: boolean;
  imap_same_credentials: boolean;
  imap_user: string | null;
  imap_secret_enc: string | null;
  save_to_sent: boolean;
  pacing_messages: number;
  pacing_seconds: number;
  daily_cap: number | null;
  check_status: 'unknown' | 'green' | 'grey' | 'red';
  check_result: unknown;
  checked_at: Date | null;
  paused: boolean;
  paused_reason: string | null;
  last_send_at: Date | null;
  deleted_at: Date | null;
}

/** Columns written from settings (everything but identity, check and queue state). */
export type MailboxSettingsColumns = Omit<
  MailboxRow,
  'id' | 'account_id' | 'check_status' | 'check_result' | 'checked_at' | 'paused' | 'paused_reason' | 'last_send_at' | 'deleted_at'
>;

const SETTINGS_COLUMNS = [
  'owner_user_id', 'display_name', 'from_name', 'from_address', 'reply_to', 'preset', 'smtp_host', 'smtp_port',
  'smtp_security', 'smtp_auth', 'auth_type', 'smtp_user', 'smtp_secret_enc', 'tls_reject_unauthorized', 'imap_enabled',
  'imap_host', 'imap_port', 'imap_tls', 'imap_require_starttls', 'imap_same_credentials', 'imap_user', 'imap_secret_enc', 'save_to_sent',
  'pacing_messages', 'pacing_seconds', 'daily_cap',
] as const satisfies readonly (keyof MailboxSettingsColumns)[];

export async function insertMailbox(db: Queryable, id: string, accountId: number, cols: MailboxSettingsColumns): Promise<void> {
  const names = ['id', 'account_id', ...SETTINGS_COLUMNS];
  const values = [id, accountId, ...SETTINGS_COLUMNS.map((c) => cols[c])];
  await db.query(`INSERT INTO mailboxes (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`, values);
}

export async function updateMailboxSettings(db: Queryable, accountId: number, id: string, cols: MailboxSettingsColumns): Promise<void> {
  const sets = SETTINGS_COLUMNS.map((c, i) => `${c} = $${i + 3}`).join(', ');
  await db.query(`UPDATE mailboxes SET ${sets}, updated_at = now() WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL`, [
    accountId,
    id,
    ...SETTINGS_COLUMNS.map((c) => cols[c]),
  ]);
}

/** Every read is scoped by account: an id from another account is simply "not found". */
export async function findMailbox(db: Queryable, accountId: number, id: string, forUpdate = false): Promise<MailboxRow | null> {
  const r = await db.query<MailboxRow>(
    `SELECT * FROM mailboxes WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL${forUpdate ? ' FOR UPDATE' : ''}`,
    [accountId, id],
  );
  return r.rows[0] ?? null;
}

export async function findMailboxById(db: Queryable, id: string): Promise<MailboxRow | null> {
  const r = await db.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1', [id]);
  return r.rows[0] ?? null;
}

export async function listMailboxes(db: Queryable, accountId: number, ownerUserId: number | null): Promise<MailboxRow[]> {
  const r = await db.query<MailboxRow>(
    `SELECT * FROM mailboxes WHERE account_id = $1 AND deleted_at IS NULL AND ($2::bigint IS NULL OR owner_user_id = $2
       OR id = (SELECT global_mailbox_id FROM accounts WHERE id = $1))
     ORDER BY created_at`,
    [accountId, ownerUserId],
  );
  return r.rows;
}

export async function saveCheck(
  db: Queryable,
  id: string,
  status: MailboxRow['check_status'],
  result: unknown,
  unpause: boolean,
): Promise<void> {
  await db.query(
    `UPDATE mailboxes SET check_status = $2, check_result = $3, checked_at = now(),
       paused = CASE WHEN $4 THEN false ELSE paused END,
       paused_reason = CASE WHEN $4 THEN NULL ELSE paused_reason END
     WHERE id = $1`,
    [id, status, JSON.stringify(result), unpause],
  );
}

/** An authentication failure while sending turns the mailbox red and stops its queue. */
export async function pauseMailbox(db: Queryable, id: string, reason: string, checkResult: unknown): Promise<void> {
  await db.query(
    `UPDATE mailboxes SET paused = true, paused_reason = $2, check_status = 'red', check_result = $3, checked_at = now()
     WHERE id = $1`,
    [id, reason, JSON.stringify(checkResult)],
  );
}

export async function softDeleteMailbox(db: Queryable, accountId: number, id: string): Promise<boolean> {
  const r = await db.query('UPDATE mailboxes SET deleted_at = now() WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL', [
    accountId,
    id,
  ]);
  return (r.rowCount ?? 0) > 0;
}

/** "Name <address>" of the account's mailboxes among `ids` (a statistics breakdown's handful). */
export async function labelsOf(db: Queryable, accountId: number, ids: string[]): Promise<Map<string, string>> {
  const r = await db.query<{ id: string; label: string }>(
    `SELECT id, display_name || ' <' || from_address || '>' AS label FROM mailboxes WHERE account_id = $1 AND id = ANY($2::uuid[])`,
    [accountId, ids],
  );
  return new Map(r.rows.map((x) => [x.id, x.label]));
}
