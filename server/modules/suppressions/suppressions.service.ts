/**
 * The account's suppression list: addresses that must not get bulk mail (unsubscribed, hard
 * bounced, complained). Mailings skip them when resolving; the unsubscribe issue fills it.
 * Addresses are kept lower-case, and compared lower-case.
 */
import type { Queryable } from '../../infra/db/db.js';

export class SuppressionsService {
  constructor(private readonly db: Queryable) {}

  async add(accountId: number, email: string, reason: string): Promise<void> {
    await this.db.query(
      'INSERT INTO suppressions (account_id, email, reason) VALUES ($1, lower($2), $3) ON CONFLICT (account_id, email) DO UPDATE SET reason = EXCLUDED.reason',
      [accountId, email, reason],
    );
  }

  /** The suppressed ones among `emails` (lower-case), with their reasons; one query for any number. */
  async among(accountId: number, emails: string[]): Promise<Map<string, string>> {
    if (emails.length === 0) return new Map();
    const r = await this.db.query<{ email: string; reason: string }>(
      'SELECT email, reason FROM suppressions WHERE account_id = $1 AND email = ANY($2::text[])',
      [accountId, [...new Set(emails.map((e) => e.toLowerCase()))]],
    );
    return new Map(r.rows.map((x) => [x.email, x.reason]));
  }
}
