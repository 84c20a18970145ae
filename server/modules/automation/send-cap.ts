/**
 * The run-time brake behind the save-time loop refusal (loop-guard.ts): an automated send of a
 * template to an entity that already got it `same_template_per_day` times in the last 24 hours
 * (account setting, default 3), or `repeat_limit` times in all (a template setting), does not
 * happen. The repeat limit counts for all time, not per day: it is what lets an admin allow a
 * loop, and only a total makes such a loop end (a daily count would let "not opened within
 * 24 h → send again" run forever, once a day).
 *
 * Every non-cancelled email counts, manual ones and failed ones included: a failed mail that
 * triggers itself again is exactly the loop this stops.
 */
import type { Queryable } from '../../infra/db/db.js';
import type { EntityType } from '../../../shared/schemas/common.js';

export interface CapLimits {
  perDay: number;
  repeatLimit: number | null;
}
export interface CapCounts {
  last24h: number;
  ever: number;
}
export type CapVerdict = { ok: true } | { ok: false; rule: 'per_day' | 'repeat_limit'; reason: string };

const ENTITY_WORD: Record<EntityType, string> = { leads: 'lead', contacts: 'contact', companies: 'company' };

/** Pure: whether one more send is allowed, and if not, a sentence a Kommo user understands. */
export function capVerdict(limits: CapLimits, counts: CapCounts, templateName: string, entityType: EntityType): CapVerdict {
  const times = (n: number) => (n === 1 ? 'once' : `${n} times`);
  const entity = ENTITY_WORD[entityType];
  if (limits.repeatLimit !== null && counts.ever >= limits.repeatLimit) {
    return {
      ok: false,
      rule: 'repeat_limit',
      reason: `"${templateName}" was not sent again: it already went to this ${entity} ${times(counts.ever)}, the template's repeat limit`,
    };
  }
  if (counts.last24h >= limits.perDay) {
    return {
      ok: false,
      rule: 'per_day',
      reason: `"${templateName}" was not sent again: it already went to this ${entity} ${times(counts.last24h)} in the last 24 hours (the account allows ${limits.perDay} a day)`,
    };
  }
  return { ok: true };
}

export interface CapSubject {
  accountId: number;
  templateId: string;
  entityType: EntityType;
  entityId: number;
}

export async function loadCapLimits(db: Queryable, accountId: number, templateId: string): Promise<CapLimits> {
  const r = await db.query<{ per_day: number | null; repeat_limit: number | null }>(
    `SELECT (SELECT same_template_per_day FROM accounts WHERE id = $1) AS per_day,
            (SELECT repeat_limit FROM templates WHERE account_id = $1 AND id = $2) AS repeat_limit`,
    [accountId, templateId],
  );
  return { perDay: r.rows[0]?.per_day ?? 3, repeatLimit: r.rows[0]?.repeat_limit ?? null };
}

export async function countSends(db: Queryable, s: CapSubject): Promise<CapCounts> {
  const r = await db.query<{ last24h: number; ever: number }>(
    `SELECT count(*) FILTER (WHERE created_at > now() - interval '24 hours')::int AS last24h, count(*)::int AS ever
     FROM emails WHERE account_id = $1 AND template_id = $2 AND entity_type = $3 AND entity_id = $4 AND status <> 'cancelled'`,
    [s.accountId, s.templateId, s.entityType, s.entityId],
  );
  return r.rows[0] ?? { last24h: 0, ever: 0 };
}

/**
 * Inside the transaction that inserts the email: the advisory lock makes "count, then insert"
 * atomic per (template, entity), so two triggers firing at once cannot both take the last slot.
 */
export async function checkSendCap(tx: Queryable, s: CapSubject, templateName: string): Promise<CapVerdict> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`send-cap:${s.accountId}:${s.templateId}:${s.entityType}:${s.entityId}`]);
  // One query at a time: a transaction's client cannot run two (pg deprecates queueing them).
  const limits = await loadCapLimits(tx, s.accountId, s.templateId);
  const counts = await countSends(tx, s);
  return capVerdict(limits, counts, templateName, s.entityType);
}
