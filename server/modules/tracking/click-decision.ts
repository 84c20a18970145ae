/**
 * The verdict on one settled click, hit by hit: the recovery sweep's repeated fires, and the
 * fallback when a batch (click-sweep.ts) fails. Inside a transaction that locked the hit row:
 * human or machine from the mail's other hits, then what it does to the automation.
 * Firing happens after the commit (tracking.service.ts), so a rolled-back verdict fires nothing.
 */
import type { Queryable } from '../../infra/db/db.js';
import { addEvent, type EmailRow } from '../emails/emails.repository.js';
import { findLink, type TriggerLinkRow } from '../trigger-links/trigger-links.repository.js';
import { classifyClick, type TrackingPolicy } from './classify.js';
import * as repo from './tracking.repository.js';
import type { HitRow } from './tracking.repository.js';

export type EmailForHit = EmailRow & { contact_ids: number[] };

/** What is left to do after the commit: fire the link's triggers, and "opened" if this was the first open. */
export interface ClickPlan {
  hit: HitRow;
  email: EmailForHit;
  link: TriggerLinkRow | null;
  openedNow: boolean;
}

export async function decideLocked(tx: Queryable, hit: HitRow, policy: TrackingPolicy): Promise<ClickPlan | null> {
  if (hit.kind !== 'click') return null;
  const email = (await tx.query<EmailForHit>('SELECT * FROM emails WHERE id = $1', [hit.email_id])).rows[0];
  if (!email) return null;
  const link = hit.link_id ? await findLink(tx, email.account_id, hit.link_id) : null;
  // Already decided (a fire being repeated by the recovery sweep): only the idempotent fire() is repeated.
  if (hit.decided_at) return { hit, email, link, openedNow: hit.human === true };

  const others = await repo.neighbours(tx, hit, policy.honeypotIpWindowMs);
  const verdict = classifyClick({ userAgent: hit.user_agent, ip: hit.ip, at: hit.at, linkId: hit.link_id ?? 0, sentAt: email.sent_at }, others, policy);
  const entity = { type: email.entity_type, id: email.entity_id };
  let outcome: 'machine' | 'link_deleted' | 'no_triggers' | 'fired' | 'already_fired' | 'capped' = 'machine';
  let eventKey: string | null = null;
  let detail = verdict.detail;
  if (verdict.human) {
    if (!link) outcome = 'link_deleted';
    // Deleted or deactivated triggers run nothing; a once-link is not used up by them either.
    else if ((await repo.activeTriggerIds(tx, email.account_id, link.trigger_ids)).length === 0) outcome = 'no_triggers';
    else if (!link.execute_once) {
      // A replayed URL must not flood the account's Kommo: an hourly cap per link and entity.
      if (await repo.takeFireSlot(tx, link.id, entity, hit.at, policy.fireCapPerHour)) [outcome, eventKey] = ['fired', `click:${hit.id}`];
      else [outcome, detail] = ['capped', `link fired ${policy.fireCapPerHour} times for this ${entity.type.replace(/s$/, '')} within the hour`];
    }
    // "Execute once": once per entity across all its contacts and all mails (seed 004).
    else if (await repo.claimOnceFire(tx, link.id, entity, email.id)) [outcome, eventKey] = ['fired', `click:${link.id}:${entity.type}:${entity.id}`];
    else outcome = 'already_fired';
  }
  await repo.decideHit(tx, hit.id, { ...verdict, detail, outcome, eventKey });
  await repo.countClick(tx, email.id, verdict.human);
  // A click proves the mail was opened, even when the pixel was blocked.
  const openedNow = verdict.human ? await repo.markHumanOpen(tx, email.id, hit.at, true) : false;
  await addEvent(tx, email.id, email.account_id, 'clicked', { linkId: hit.link_id, human: verdict.human, reason: verdict.reason, detail: detail ?? null, outcome });
  return { hit: { ...hit, human: verdict.human, outcome, event_key: eventKey }, email, link, openedNow };
}
