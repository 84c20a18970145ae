/**
 * The history of the account's mails (GET /api/emails/search): filters, a page, a bounded count.
 * A page is found as ids first (the indexes of migration 20261130030000 hold every filter column
 * and the order, so skipping `offset` rows reads the index, not the table), then those rows are
 * read with their mailbox's and template's names in one query: no per-row look-up.
 */
import { EMAIL_SEARCH_COUNT_CAP, type EmailListItem, type EmailSearchQuery } from '../../../shared/schemas/email.js';
import type { Queryable } from '../../infra/db/db.js';
import type { EmailRow } from './emails.repository.js';

/** Whose mails: every mail of the account, or a user's (sent by them or from one of their mailboxes). */
export type SearchScope = { all: true } | { all: false; userId: number; mailboxIds: string[] };

interface Where {
  sql: string;
  params: unknown[];
}

function whereOf(accountId: number, scope: SearchScope, q: EmailSearchQuery): Where {
  const params: unknown[] = [accountId];
  const conds = ['e.account_id = $1'];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    conds.push(sql(`$${params.length}`));
  };
  if (!scope.all) {
    params.push(scope.userId, scope.mailboxIds);
    conds.push(`(e.user_id = $${params.length - 1} OR e.mailbox_id = ANY($${params.length}::uuid[]))`);
  }
  if (q.status) add((n) => `e.status = ${n}`, q.status);
  if (q.mailboxId) add((n) => `e.mailbox_id = ${n}`, q.mailboxId);
  if (q.templateId) add((n) => `e.template_id = ${n}`, q.templateId);
  if (q.since) add((n) => `e.created_at >= ${n}`, q.since);
  if (q.until) add((n) => `e.created_at < ${n}`, q.until);
  // A mailing's mails are queued at priority 1, single sends at 0 (migration 20261129204000).
  if (q.single === 'true') conds.push('e.priority = 0');
  if (q.single === 'false') conds.push('e.priority > 0');
  return { sql: conds.join(' AND '), params };
}

const ORDER = { newest: 'e.created_at DESC, e.id DESC', planned: 'e.not_before, e.id' } as const;

type ListRow = Pick<
  EmailRow,
  'id' | 'status' | 'entity_type' | 'entity_id' | 'user_id' | 'mailbox_id' | 'template_id' | 'to_addresses' | 'cc_addresses' | 'subject' | 'priority' | 'created_at' | 'not_before' | 'sent_at' | 'error_code' | 'error_text'
> & { mailbox_name: string; mailbox_address: string; template_name: string | null };

export async function searchEmails(
  db: Queryable,
  accountId: number,
  scope: SearchScope,
  q: EmailSearchQuery,
): Promise<{ total: number; totalExact: boolean; items: EmailListItem[] }> {
  const w = whereOf(accountId, scope, q);
  const n = w.params.length;
  const order = ORDER[q.order];
  const [count, page] = await Promise.all([
    // Counting stops at the cap: past it the pager says "10,000" and the filters narrow the rest.
    db.query<{ n: string }>(`SELECT count(*) AS n FROM (SELECT 1 FROM emails e WHERE ${w.sql} LIMIT ${EMAIL_SEARCH_COUNT_CAP + 1}) c`, w.params),
    db.query<ListRow>(
      `WITH page AS (SELECT e.id FROM emails e WHERE ${w.sql} ORDER BY ${order} LIMIT $${n + 1} OFFSET $${n + 2})
       SELECT e.id, e.status, e.entity_type, e.entity_id, e.user_id, e.mailbox_id, e.template_id, e.to_addresses, e.cc_addresses, e.subject,
              e.priority, e.created_at, e.not_before, e.sent_at, e.error_code, e.error_text,
              m.display_name AS mailbox_name, m.from_address AS mailbox_address, t.name AS template_name
       FROM page p JOIN emails e ON e.id = p.id JOIN mailboxes m ON m.id = e.mailbox_id LEFT JOIN templates t ON t.id = e.template_id
       ORDER BY ${order}`,
      [...w.params, q.limit, (q.page - 1) * q.limit],
    ),
  ]);
  const total = Number(count.rows[0]?.n ?? 0);
  return {
    total: Math.min(total, EMAIL_SEARCH_COUNT_CAP),
    totalExact: total <= EMAIL_SEARCH_COUNT_CAP,
    items: page.rows.map((r) => ({
      id: r.id,
      status: r.status,
      entityType: r.entity_type,
      entityId: Number(r.entity_id),
      userId: Number(r.user_id),
      mailboxId: r.mailbox_id,
      mailboxName: r.mailbox_name,
      mailboxAddress: r.mailbox_address,
      templateId: r.template_id,
      templateName: r.template_name,
      to: r.to_addresses,
      cc: r.cc_addresses,
      subject: r.subject,
      fromMailing: r.priority > 0,
      createdAt: r.created_at.toISOString(),
      scheduledAt: r.not_before.toISOString(),
      sentAt: r.sent_at?.toISOString() ?? null,
      error: r.error_code || r.error_text ? { code: r.error_code, text: r.error_text } : null,
    })),
  };
}
