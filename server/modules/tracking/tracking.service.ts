/**
 * Opens and clicks: recorded on arrival, classified human or machine (classify.ts), and only
 * human ones fire "opened" / "link clicked". Opens are judged at once; a click is judged after a
 * settle window, because a scanner's burst or honeypot hit may arrive just after it. The reader
 * is redirected immediately either way.
 */
import type { Db, Queryable } from '../../infra/db/db.js';
import { withTransaction } from '../../infra/db/db.js';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Logger } from '../../infra/log/logger.js';
import type { TriggerEvent, TriggerRunner } from '../automation/automation.port.js';
import { addEvent, type EmailRow } from '../emails/emails.repository.js';
import { fireEmailPoint } from '../emails/email-automation.js';
import { findLink, type TriggerLinkRow } from '../trigger-links/trigger-links.repository.js';
import { boundFacts, classifyClick, classifyOpen, machineByAgent, TRACKING_POLICY, type HitFacts, type Verdict } from './classify.js';
import { HONEYPOT_LINK_ID, parseClickToken } from './click-token.js';
import { parseOpenToken } from './open-pixel.js';
import * as repo from './tracking.repository.js';

export const DECIDE_CLICK_JOB = 'tracking.decide-click';
export const TRACKING_SWEEP_JOB = 'tracking.sweep';

/** What the click endpoint answers; never a URL taken from the request. */
export type ClickAnswer = { kind: 'redirect'; url: string } | { kind: 'thanks' } | { kind: 'gone' } | { kind: 'not_found' };

type EmailForHit = EmailRow & { contact_ids: number[] };

export class TrackingService {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly queue: JobQueue,
    private readonly triggers: TriggerRunner,
    private readonly log: Logger,
    private readonly policy = TRACKING_POLICY,
  ) {}

  /** The pixel was fetched. Never throws: the pixel must render whatever happens here. */
  async open(file: string, raw: HitFacts): Promise<void> {
    const emailId = parseOpenToken(this.box, file.replace(/\.gif$/, ''));
    if (!emailId) return;
    const facts = boundFacts(raw);
    try {
      const first = await withTransaction(this.db, async (tx) => {
        const verdict = await this.judgeOpen(tx, emailId, facts);
        // 'sending' too: a prefetching provider can fetch before our "sent" update commits.
        const r = await tx.query<{ account_id: number }>(
          `UPDATE emails SET opens_count = opens_count + 1, first_opened_at = coalesce(first_opened_at, now()),
             machine_opens = machine_opens + $2 WHERE id = $1 AND status IN ('sent', 'sending') RETURNING account_id`,
          [emailId, verdict.human ? 0 : 1],
        );
        const accountId = r.rows[0]?.account_id;
        if (accountId === undefined) return null;
        const isFirst = verdict.human ? await repo.markHumanOpen(tx, emailId, facts.at ?? new Date(), false) : false;
        const outcome = !verdict.human ? 'machine' : !isFirst ? 'already_fired' : (await repo.hasOpenedTriggers(tx, emailId)) ? 'fired' : 'no_triggers';
        await repo.insertHit(tx, { accountId, emailId, kind: 'open', linkId: null, ...hitFacts(facts), decision: { ...verdict, outcome } });
        await addEvent(tx, emailId, accountId, 'opened', { userAgent: facts.userAgent, human: verdict.human, reason: verdict.reason, detail: verdict.detail ?? null });
        return isFirst;
      });
      if (first) await fireEmailPoint(this.db, this.triggers, emailId, 'opened');
    } catch (err) {
      this.log.error({ err, emailId }, 'recording an open failed');
    }
  }

  /**
   * Most opens are judged by agent and address alone; a Gmail-proxy fetch also by how long after
   * the send it came, read in the same transaction (one primary-key lookup, Gmail hits only).
   */
  private async judgeOpen(tx: Queryable, emailId: string, facts: HitFacts): Promise<Verdict> {
    const byAgent = machineByAgent(facts);
    if (byAgent?.reason !== 'gmail_image_proxy') return byAgent ?? { human: true, reason: 'human' };
    const r = await tx.query<{ sent_at: Date | null; at: Date }>('SELECT sent_at, coalesce($2::timestamptz, now()) AS at FROM emails WHERE id = $1', [emailId, facts.at ?? null]);
    const row = r.rows[0];
    return classifyOpen({ ...facts, at: row?.at ?? new Date(), sentAt: row?.sent_at ?? null }, this.policy);
  }

  /** A tracked link was followed: record it, schedule its verdict, say where the reader goes. */
  async click(token: string, raw: HitFacts): Promise<ClickAnswer> {
    const facts = boundFacts(raw);
    const target = parseClickToken(this.box, token);
    if (!target) return { kind: 'not_found' };
    if (target.kind === 'preview') {
      const link = (await this.db.query<TriggerLinkRow>('SELECT * FROM trigger_links WHERE id = $1', [target.linkId])).rows[0];
      return link ? landing(link) : { kind: 'gone' };
    }
    const email = (await this.db.query<{ account_id: number }>('SELECT account_id FROM emails WHERE id = $1', [target.emailId])).rows[0];
    if (!email) return { kind: 'not_found' };
    const base = { accountId: email.account_id, emailId: target.emailId, ...hitFacts(facts) };
    if (target.linkId === HONEYPOT_LINK_ID) {
      await withTransaction(this.db, async (tx) => {
        await repo.insertHit(tx, { ...base, kind: 'honeypot', linkId: null, decision: { human: false, reason: 'honeypot', outcome: 'machine' } });
        await repo.countClick(tx, target.emailId, false);
      });
      // Looks like any other landing page: nothing tells the scanner it was caught.
      return { kind: 'thanks' };
    }
    // Scoped to the mail's account: a signed URL can only ever reach that account's links.
    const link = await findLink(this.db, email.account_id, target.linkId);
    const obvious = machineByAgent(facts);
    if (obvious) {
      // A scanner's agent or a HEAD probe needs no settling; the hit still counts as a neighbour
      // when the mail's other clicks are judged.
      await withTransaction(this.db, async (tx) => {
        await repo.insertHit(tx, { ...base, kind: 'click', linkId: target.linkId, decision: { ...obvious, outcome: 'machine' } });
        await repo.countClick(tx, target.emailId, false);
      });
    } else {
      const hit = await repo.insertHit(this.db, { ...base, kind: 'click', linkId: target.linkId });
      // Settling waits for the rest of a burst to arrive: real time from now, whatever the hit's time.
      await this.queue.schedule(DECIDE_CLICK_JOB, { hitId: hit.id }, new Date(Date.now() + this.policy.settleMs));
    }
    return link ? landing(link) : { kind: 'gone' };
  }

  /** The settle job: human or machine, then fire. Safe to run twice (decided hits only re-fire). */
  async decideClick(hitId: number): Promise<void> {
    const plan = await withTransaction(this.db, async (tx) => {
      const hit = await repo.lockHit(tx, hitId);
      if (!hit || hit.kind !== 'click') return null;
      const email = (await tx.query<EmailForHit>('SELECT * FROM emails WHERE id = $1', [hit.email_id])).rows[0];
      if (!email) return null;
      const link = hit.link_id ? await findLink(tx, email.account_id, hit.link_id) : null;
      // Already decided (a repeated job, or the sweep): only the idempotent fire() is repeated.
      if (hit.decided_at) return { hit, email, link, openedNow: hit.human === true };

      const others = await repo.neighbours(tx, hit, this.policy.honeypotIpWindowMs);
      const verdict = classifyClick({ userAgent: hit.user_agent, ip: hit.ip, at: hit.at, linkId: hit.link_id ?? 0, sentAt: email.sent_at }, others, this.policy);
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
          if (await repo.takeFireSlot(tx, link.id, entity, hit.at, this.policy.fireCapPerHour)) [outcome, eventKey] = ['fired', `click:${hit.id}`];
          else [outcome, detail] = ['capped', `link fired ${this.policy.fireCapPerHour} times for this ${entity.type.replace(/s$/, '')} within the hour`];
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
    });
    if (!plan) return;
    if (plan.hit.outcome === 'fired' && plan.hit.event_key && plan.link) await this.fireLink(plan.email, plan.link, plan.hit.event_key);
    if (plan.openedNow) await fireEmailPoint(this.db, this.triggers, plan.email.id, 'opened');
  }

  /** Decides clicks whose job was lost and repeats fires that left no execution (crash recovery). */
  async sweep(): Promise<void> {
    for (const id of await repo.stalePendingHits(this.db, this.policy.settleMs + 60_000)) await this.decideClick(id);
    const missed = await repo.unfiredEvents(this.db);
    for (const id of missed.hits) await this.decideClick(id);
    for (const id of missed.openedEmails) await fireEmailPoint(this.db, this.triggers, id, 'opened');
  }

  private async fireLink(email: EmailForHit, link: TriggerLinkRow, eventKey: string): Promise<void> {
    // Triggers deleted since the link was saved are dropped rather than failing the others.
    const triggerIds = await repo.activeTriggerIds(this.db, email.account_id, link.trigger_ids);
    if (triggerIds.length === 0) return;
    const event: TriggerEvent = {
      accountId: email.account_id,
      point: 'link_clicked',
      eventKey,
      triggerIds,
      entity: { type: email.entity_type, id: email.entity_id },
      email: {
        id: email.id,
        subject: email.subject,
        sentAt: email.sent_at,
        templateId: email.template_id,
        mailboxId: email.mailbox_id,
        userId: email.user_id,
        // bigint[] arrives as strings (db.ts parses only scalar int8).
        contactIds: (email.contact_ids ?? []).map(Number),
      },
    };
    await this.triggers.fire(event);
  }
}

function landing(link: TriggerLinkRow): ClickAnswer {
  return link.redirect_url ? { kind: 'redirect', url: link.redirect_url } : { kind: 'thanks' };
}

function hitFacts(f: HitFacts): { ip: string | null; userAgent: string | null; at?: Date } {
  return { ip: f.ip, userAgent: f.userAgent, at: f.at };
}
