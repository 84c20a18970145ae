import type { Queryable } from '../../infra/db/db.js';

export interface AccountRow {
  id: number;
  subdomain: string;
  global_mailbox_id: string | null;
}

/** A verified widget JWT proves the account exists in Kommo: record it on first sight. */
export async function ensureAccount(db: Queryable, accountId: number, subdomain: string): Promise<void> {
  await db.query(
    `INSERT INTO accounts (id, subdomain) VALUES ($1, $2)
     ON CONFLICT (id) DO UPDATE SET subdomain = EXCLUDED.subdomain, updated_at = now()
     WHERE accounts.subdomain <> EXCLUDED.subdomain`,
    [accountId, subdomain],
  );
}

export async function getAccount(db: Queryable, accountId: number): Promise<AccountRow | null> {
  const r = await db.query<AccountRow>('SELECT id, subdomain, global_mailbox_id FROM accounts WHERE id = $1', [accountId]);
  return r.rows[0] ?? null;
}

export async function setGlobalMailbox(db: Queryable, accountId: number, mailboxId: string | null): Promise<void> {
  await db.query('UPDATE accounts SET global_mailbox_id = $2, updated_at = now() WHERE id = $1', [accountId, mailboxId]);
}
