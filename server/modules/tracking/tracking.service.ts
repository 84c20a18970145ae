/**
 * Opens and clicks: recorded on arrival, classified human or machine (classify.ts), and only
 * human ones fire "opened" / "link clicked".
 *  - Hits are group-committed (group-commit.ts): those arriving within a few ms are written in
 *    one statement or transaction, and each answer waits for that commit: nothing answered is lost.
 *  - Opens are judged in that same transaction. A click is judged after a settle window, because
 *    a scanner's burst or honeypot hit may arrive just after it: every process runs a sweep that
 *    claims the due clicks with SKIP LOCKED and decides each batch with a few set-based
 *    statements (click-sweep.ts; no job per click, no statements per click). A
 *    click whose process died before deciding it is simply due for the next sweep of any process.
 * The reader is answered at once either way.
 */
import type { Db } from '../../infra/db/db.js';
import { withTransaction } from '../../infra/db/db.js';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import type { Logger } from '../../infra/log/logger.js';
import type { TriggerEvent, TriggerRunner } from '../automation/automation.port.js';
import { fireEmailPoint } from '../emails/email-automation.js';
import type { TriggerLinkRow } from '../trigger-links/trigger-links.repository.js';
import { boundFacts, machineByAgent, TRACKING_POLICY, type HitFacts } from './classify.js';
import { decideLocked, type ClickPlan, type EmailForHit } from './click-decision.js';
import { decideBatch } from './click-sweep.js';
import { recordClicks, type PendingClick, type RecordedClick } from './click-batch.js';
import { HONEYPOT_LINK_ID, parseClickToken } from './click-token.js';
import { GroupCommit } from './group-commit.js';
import { recordOpens, type PendingOpen } from './open-batch.js';
import { parseOpenToken } from './open-pixel.js';
import * as repo from './tracking.repository.js';

export const TRACKING_SWEEP_JOB = 'tracking.sweep';

/** What the click endpoint answers; never a URL taken from the request. */
export type ClickAnswer = { kind: 'redirect'; url: string } | { kind: 'thanks' } | { kind: 'gone' } | { kind: 'not_found' };

export interface TrackingTiming {
  /** Group commit: how long a hit waits for others to share its write. */
  commitWindowMs: number;
  /** How often each process looks for clicks whose settle window has passed. */
  sweepMs: number;
}

/** Hits per write. */
const MAX_BATCH = 500;
/**
 * Clicks per sweep transaction. Larger batches decide faster (1,000: ~5,200 clicks/s alone in the
 * bench, 200: ~2,700, 50: ~1,200) but hold this process's event loop longer while their rows are
 * read and judged, which the hits being answered meanwhile feel: with 3,000 clicks/s arriving,
 * click p99 was 111 ms at 1,000 per batch, 37 ms at 200 and 19 ms at 50 (13 ms with no sweep;
 * bench/tracking.ts). So the sweep takes small bites while hits arrive, resting twice as long as
 * each bite took (p99 at 3,000 clicks/s offered: 28 ms → 18 ms), and large ones when the
 * endpoints are quiet; a flood's verdicts wait a little (they fire triggers, nobody waits on them)
 * and the backlog is decided at full speed once it ends.
 */
const SWEEP_BATCH = 500;
const SWEEP_BATCH_BUSY = 50;
/** Hits within this long make the endpoints "busy" for the sweep. */
const BUSY_FOR_MS = 1_000;
const BUSY_REST_MAX_MS = 200;
/** Batches of one kind written at once: the pool (10) keeps room for the sweep, queue and API. */
const MAX_IN_FLIGHT = 3;

export class TrackingService {
  private readonly opens: GroupCommit<PendingOpen, boolean>;
  private readonly clicks: GroupCommit<PendingClick, RecordedClick>;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private stopped = false;
  /** When this process last answered a hit (performance.now()): the sweep's bite size follows it. */
  private lastHitAt = -Infinity;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly triggers: TriggerRunner,
    private readonly log: Logger,
    private readonly timing: TrackingTiming = { commitWindowMs: 2, sweepMs: 250 },
    private readonly policy = TRACKING_POLICY,
  ) {
    const group = { windowMs: timing.commitWindowMs, maxBatch: MAX_BATCH };
    // Each batch is one statement. Open batches lock their mails' rows in id order, so batches of
    // the same mails take turns and the others run side by side; a click batch locks no mail row of
    // a person's click.
    this.opens = new GroupCommit((batch) => recordOpens(db, batch, policy), { ...group, maxInFlight: MAX_IN_FLIGHT });
    this.clicks = new GroupCommit((batch) => recordClicks(db, batch, policy.settleMs), { ...group, maxInFlight: MAX_IN_FLIGHT });
  }

  /** Starts this process's click sweep. */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Stops sweeping and writes every hit still waiting for its group commit. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.sweeping;
    await Promise.all([this.opens.stop(), this.clicks.stop()]);
  }

  /** The pixel was fetched. Never throws: the pixel must render whatever happens here. */
  async open(file: string, raw: HitFacts): Promise<void> {
    this.lastHitAt = performance.now();
    const emailId = parseOpenToken(this.box, file.replace(/\.gif$/, ''));
    if (!emailId) return;
    try {
      const first = await this.opens.add({ emailId, facts: boundFacts(raw) });
      if (first) await fireEmailPoint(this.db, this.triggers, emailId, 'opened');
    } catch (err) {
      this.log.error({ err, emailId }, 'recording an open failed');
    }
  }

  /** A tracked link was followed: record it (its verdict comes with the sweep), say where the reader goes. */
  async click(token: string, raw: HitFacts): Promise<ClickAnswer> {
    this.lastHitAt = performance.now();
    const facts = boundFacts(raw);
    const target = parseClickToken(this.box, token);
    if (!target) return { kind: 'not_found' };
    if (target.kind === 'preview') {
      const link = (await this.db.query<TriggerLinkRow>('SELECT * FROM trigger_links WHERE id = $1', [target.linkId])).rows[0];
      return link ? landing(link) : { kind: 'gone' };
    }
    const honeypot = target.linkId === HONEYPOT_LINK_ID;
    // A scanner's agent or a HEAD probe needs no settling; the hit still counts as a neighbour
    // when the mail's other clicks are judged.
    const verdict = honeypot ? { human: false, reason: 'honeypot' as const } : machineByAgent(facts);
    const recorded = await this.clicks.add({ emailId: target.emailId, linkId: honeypot ? null : target.linkId, honeypot, facts, verdict });
    if (!recorded.found) return { kind: 'not_found' };
    // Looks like any other landing page: nothing tells the scanner it was caught.
    if (honeypot) return { kind: 'thanks' };
    return recorded.link ? landing(recorded.link) : { kind: 'gone' };
  }

  /**
   * Decides every click whose settle window has passed, in batches: one transaction claims a
   * batch (SKIP LOCKED, so processes share the work) and decides it with a fixed number of
   * set-based statements (click-sweep.ts), then fires after the commit. A batch that fails is
   * decided again hit by hit, so one bad hit cannot hold back the others.
   */
  async decideDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const started = performance.now();
      const busy = started - this.lastHitAt < BUSY_FOR_MS;
      const size = busy ? SWEEP_BATCH_BUSY : SWEEP_BATCH;
      let decided: { claimed: number; plans: ClickPlan[]; openedTriggers: Set<string> | null };
      let fellBack = false;
      try {
        decided = await withTransaction(this.db, async (tx) => {
          const hits = await repo.claimDueClicks(tx, size);
          if (hits.length === 0) return { claimed: 0, plans: [], openedTriggers: new Set<string>() };
          return { claimed: hits.length, ...(await decideBatch(tx, hits, this.policy)) };
        });
      } catch (err) {
        this.log.error({ err }, 'deciding a batch of clicks failed; deciding them one by one');
        decided = await this.decideOneByOne(size);
        fellBack = true;
      }
      for (const plan of decided.plans) await this.fire(plan, decided.openedTriggers);
      total += decided.claimed;
      // After a fallback the hits that failed wait for the next turn of the sweep.
      if (decided.claimed < size || fellBack) return total;
      // A backlog while hits arrive: rest twice as long as the batch took, so the database and
      // this event loop give the readers being answered two thirds of their time.
      if (busy && !this.stopped) await new Promise((r) => setTimeout(r, Math.min(BUSY_REST_MAX_MS, 2 * (performance.now() - started))));
    }
  }

  private async decideOneByOne(size: number): Promise<{ claimed: number; plans: ClickPlan[]; openedTriggers: Set<string> | null }> {
    const plans: ClickPlan[] = [];
    const claimed = await withTransaction(this.db, async (tx) => {
      const hits = await repo.claimDueClicks(tx, size);
      if (hits.length === 0) return 0;
      await repo.lockEmails(tx, hits.map((h) => h.email_id));
      for (const hit of hits) {
        await tx.query('SAVEPOINT hit');
        try {
          const plan = await decideLocked(tx, hit, this.policy);
          await tx.query('RELEASE SAVEPOINT hit');
          if (plan) plans.push(plan);
        } catch (err) {
          await tx.query('ROLLBACK TO SAVEPOINT hit');
          this.log.error({ err, hitId: hit.id }, 'deciding a click failed');
        }
      }
      return hits.length;
    });
    return { claimed, plans, openedTriggers: null };
  }

  /** Re-runs the verdict's fires for one hit (decided hits only re-fire; fire() is idempotent). */
  async decideClick(hitId: number): Promise<void> {
    const plan = await withTransaction(this.db, async (tx) => {
      const hit = await repo.lockHit(tx, hitId);
      if (!hit) return null;
      await repo.lockEmails(tx, [hit.email_id]);
      return decideLocked(tx, hit, this.policy);
    });
    if (plan) await this.fire(plan);
  }

  /** Decides due clicks and repeats fires that left no execution (crash recovery). */
  async sweep(): Promise<void> {
    await this.decideDue();
    const missed = await repo.unfiredEvents(this.db);
    for (const id of missed.hits) await this.decideClick(id);
    for (const id of missed.openedEmails) await fireEmailPoint(this.db, this.triggers, id, 'opened');
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweeping = this.decideDue()
        .then(() => undefined)
        .catch((err: unknown) => this.log.error({ err }, 'the click sweep failed'))
        .finally(() => {
          this.sweeping = null;
          this.schedule();
        });
    }, this.timing.sweepMs);
    // The sweep never keeps a process alive on its own.
    this.timer.unref();
  }

  /** `openedTriggers`: the mails "opened" runs anything for, when the batch already asked (null: ask). */
  private async fire(plan: ClickPlan, openedTriggers: Set<string> | null = null): Promise<void> {
    if (plan.hit.outcome === 'fired' && plan.hit.event_key && plan.link) await this.fireLink(plan.email, plan.link, plan.hit.event_key);
    if (plan.openedNow && (openedTriggers?.has(plan.email.id) ?? true)) await fireEmailPoint(this.db, this.triggers, plan.email.id, 'opened');
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

function landing(link: { redirect_url: string | null }): ClickAnswer {
  return link.redirect_url ? { kind: 'redirect', url: link.redirect_url } : { kind: 'thanks' };
}
