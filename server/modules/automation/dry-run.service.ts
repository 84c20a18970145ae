/**
 * Dry run (issue 3 §6): what would happen if this template went to this lead and the recipient
 * opened it at a given time, never opened it, clicked a trigger link, or the send failed — which
 * triggers fire, when, with which Kommo requests, which further mails they send and where the
 * runtime cap or a repeat limit stops them. Only reads: Kommo GETs and database SELECTs; the
 * requests are the triggers module's own plans (actions/index.ts), so they are the documents the
 * engine would put on the wire.
 *
 * Simulated time runs through one event queue ordered by time, so the cap counts simulated sends
 * in the order they would happen, whichever branch of the automation they come from.
 */
import type { DryRunCall, DryRunRequest, DryRunResult, DryRunStep } from '../../../shared/schemas/dry-run.js';
import type { TriggerPoints } from '../../../shared/schemas/template.js';
import type { Db } from '../../infra/db/db.js';
import type { CrmClient } from '../../infra/crm/crm-client.js';
import { invalid, notFound } from '../../errors.js';
import type { AuthContext } from '../../http/auth.js';
import { composeMessage, type TriggerLinkResolvers } from '../templates/compose.js';
import { loadEntityData, type EntityData } from '../templates/entity-data.js';
import { findTemplate } from '../templates/templates.repository.js';
import { loadTriggerPoints } from '../templates/trigger-points.repository.js';
import type { TemplatesService } from '../templates/templates.service.js';
import { findLink } from '../trigger-links/trigger-links.repository.js';
import { findTrigger, type Trigger } from '../triggers/triggers.repository.js';
import { needsEntityData, plan, type Plan, type PlanContext, type PlannedCall } from '../triggers/actions/index.js';
import { automaticRecipients } from '../emails/system-send.js';
import { pickSendingMailbox } from '../mailboxes/mailbox-choice.js';
import { capVerdict, countSends, loadCapLimits, type CapCounts, type CapLimits } from './send-cap.js';
import { DryRunClock, type SimEvent, type SimMail, type SimPoint } from './dry-run.clock.js';
import { assertCanViewEntity } from '../accounts/entity-access.js';

const WORD = { leads: 'lead', contacts: 'contact', companies: 'company' } as const;
const NO_MAILBOX = "no mailbox to send from: set the account's global mailbox, or add a mailbox for the responsible user or the template's owner";

/** Mails sent by triggers of mails sent by triggers…: deep enough for any real chain. */
const MAX_DEPTH = 5;
const MAX_STEPS = 300;

export interface DryRunDeps {
  db: Db;
  crmFor(accountId: number): Promise<CrmClient>;
  templates: Pick<TemplatesService, 'getUsable'>;
  links?: TriggerLinkResolvers;
}

interface TemplateInfo {
  id: string;
  name: string;
  ownerUserId: number;
  points: TriggerPoints;
  subject: string;
  limits: CapLimits;
  existing: CapCounts;
}

export class DryRunService {
  constructor(private readonly deps: DryRunDeps) {}

  async run(auth: AuthContext, templateId: string, req: DryRunRequest): Promise<DryRunResult> {
    const root = await this.deps.templates.getUsable(auth, templateId);
    const crm = await this.deps.crmFor(auth.accountId);
    await assertCanViewEntity(crm, auth, req.entityType, req.entityId);
    const data = await loadEntityData(crm, req.entityType, req.entityId);
    if (req.scenario.kind === 'clicked') {
      const link = await findLink(this.deps.db, auth.accountId, req.scenario.linkId);
      if (!link) throw notFound(`trigger link ${req.scenario.linkId}`);
      if (!new RegExp(`triggerlink[\\s:]+${link.id}\\b`).test(root.body_html)) {
        throw invalid('scenario.linkId', `template "${root.name}" has no trigger link ${link.id} ("${link.name}") to click`);
      }
    }
    const run = new Simulation(this.deps, auth, req, data);
    const first = await run.template(root.id);
    const result = await run.simulate(first);
    return {
      template: { id: root.id, name: root.name },
      entity: { type: req.entityType, id: req.entityId },
      scenario: req.scenario,
      startsAt: run.clock.start.toISOString(),
      steps: result,
      cap: { perDay: first.limits.perDay, repeatLimit: first.limits.repeatLimit, sentLast24h: first.existing.last24h, sentEver: first.existing.ever },
      assumptions: [
        'Kommo data is read once, now: changes made by earlier steps (a new status, a field) are not reflected in later ones.',
        req.scenario.kind === 'failed'
          ? 'Mails sent by triggers fail the same way.'
          : req.scenario.kind === 'opened'
            ? `Mails sent by triggers are opened ${fmt(req.scenario.afterSeconds)} after they are sent.`
            : 'Mails sent by triggers are never opened.',
        `Mails sent by triggers are followed ${MAX_DEPTH} deep at most.`,
      ],
    };
  }
}

class Simulation {
  readonly clock = new DryRunClock();
  private readonly steps: DryRunStep[] = [];
  private readonly templates = new Map<string, TemplateInfo>();
  private readonly sent: { templateId: string; at: number }[] = [];
  private mails = 0;

  constructor(
    private readonly deps: DryRunDeps,
    private readonly auth: AuthContext,
    private readonly req: DryRunRequest,
    private readonly data: EntityData,
  ) {}

  async template(id: string): Promise<TemplateInfo> {
    const cached = this.templates.get(id);
    if (cached) return cached;
    const { db } = this.deps;
    const t = await findTemplate(db, this.auth.accountId, id);
    if (!t) throw notFound(`template ${id}`);
    const subject = { accountId: this.auth.accountId, templateId: id, entityType: this.req.entityType, entityId: this.req.entityId };
    const composed = await composeMessage(
      db,
      { accountId: this.auth.accountId, userId: this.auth.userId },
      this.data,
      { subject: t.subject, html: t.body_html, disableSignature: true },
      await this.deps.links?.forPreview(this.auth.accountId),
    );
    const info: TemplateInfo = {
      id,
      name: t.name,
      ownerUserId: t.owner_user_id,
      points: await loadTriggerPoints(db, { templateId: id }),
      subject: composed.subject,
      limits: await loadCapLimits(db, this.auth.accountId, id),
      existing: await countSends(db, subject),
    };
    this.templates.set(id, info);
    return info;
  }

  async simulate(root: TemplateInfo): Promise<DryRunStep[]> {
    const mailbox = this.req.mailboxId ?? (await this.pickMailbox(root, null));
    this.clock.push({ kind: 'send', at: 0, templateId: root.id, depth: 0, mailboxId: mailbox, by: null });
    for (let ev = this.clock.next(); ev; ev = this.clock.next()) {
      if (this.steps.length >= MAX_STEPS) {
        this.step(ev.at, ev.kind === 'send' ? null : ev.mail, { kind: 'depth_limit', text: `the timeline is cut at ${MAX_STEPS} steps` });
        break;
      }
      await this.handle(ev);
    }
    return this.steps;
  }

  private async handle(ev: SimEvent): Promise<void> {
    if (ev.kind === 'send') return this.send(ev);
    if (ev.kind === 'point') {
      const s = this.step(ev.at, ev.mail, { kind: 'point', point: ev.point, text: ev.text, skipped: ev.skipped ?? null });
      if (s.skipped) return;
      for (const id of ev.triggerIds) {
        const t = await findTrigger(this.deps.db, this.auth.accountId, id);
        if (t) this.clock.push({ kind: 'trigger', at: ev.at + t.delaySeconds, mail: ev.mail, point: ev.point, trigger: t });
      }
      return;
    }
    if (ev.kind === 'cancel') {
      this.step(ev.at, ev.mail, { kind: 'timer_cancelled', point: 'not_opened', text: `mail ${ev.mail.n} "${ev.mail.template.name}": the not-opened timer is cancelled by the open` });
      return;
    }
    return this.trigger(ev.at, ev.mail, ev.point, ev.trigger);
  }

  private async send(ev: Extract<SimEvent, { kind: 'send' }>): Promise<void> {
    const tpl = await this.template(ev.templateId);
    const mail: SimMail = { n: 0, template: tpl, depth: ev.depth, sentAt: ev.at, mailboxId: ev.mailboxId };
    if (ev.depth > 0) {
      // What EmailsService.sendSystem would refuse, with the note it would leave in Kommo.
      const held = ev.mailboxId ? this.holdBack(tpl, ev.at) : { reason: NO_MAILBOX, note: false };
      if (held) {
        const body = [{ entity_id: this.req.entityId, note_type: 'common', params: { text: `leadmail: ${held.reason}.` } }];
        const calls: DryRunCall[] = held.note ? [{ kind: 'kommo', method: 'POST', path: `/${this.req.entityType}/notes`, body }] : [];
        this.step(ev.at, mail, { kind: 'held_back', text: `"${tpl.name}" is not sent: ${held.reason}`, calls, skipped: held.reason });
        return;
      }
    }
    mail.n = ++this.mails;
    this.sent.push({ templateId: tpl.id, at: ev.at });
    const fails = this.req.scenario.kind === 'failed';
    const by = ev.by ? ` by trigger "${ev.by}"` : '';
    this.step(ev.at, mail, { kind: 'send', text: `mail ${mail.n} "${tpl.name}" (subject "${tpl.subject}") is sent${by}${fails ? ' and fails' : ''}` });
    const p = tpl.points;
    if (fails) {
      this.clock.push({ kind: 'point', at: ev.at, mail, point: 'failed', triggerIds: p.failed, text: `mail ${mail.n} "${tpl.name}" failed` });
      return;
    }
    this.clock.push({ kind: 'point', at: ev.at, mail, point: 'sent', triggerIds: p.sent, text: `mail ${mail.n} "${tpl.name}" sent` });
    const sc = this.req.scenario;
    const openAfter = ev.depth === 0 && sc.kind === 'clicked' ? sc.afterSeconds : sc.kind === 'opened' ? sc.afterSeconds : null;
    const openAt = openAfter === null ? null : ev.at + openAfter;
    if (p.notOpened) {
      const due = ev.at + p.notOpened.afterSeconds;
      if (openAt !== null && openAt < due) this.clock.push({ kind: 'cancel', at: openAt, mail });
      else this.clock.push({ kind: 'point', at: due, mail, point: 'not_opened', triggerIds: p.notOpened.triggerIds, text: `mail ${mail.n} "${tpl.name}" not opened within ${fmt(p.notOpened.afterSeconds)}` });
    }
    if (openAt === null) return;
    if (sc.kind === 'clicked' && ev.depth === 0) await this.click(mail, openAt, sc.linkId);
    // A click proves an open (tracking.service.ts), so "opened" fires for clicks too.
    this.clock.push({ kind: 'point', at: openAt, mail, point: 'opened', triggerIds: p.opened, text: `mail ${mail.n} "${tpl.name}" opened` });
  }

  private async click(mail: SimMail, at: number, linkId: number): Promise<void> {
    const link = (await findLink(this.deps.db, this.auth.accountId, linkId))!;
    let skipped: string | null = null;
    if (link.execute_once) {
      const fired = await this.deps.db.query('SELECT 1 FROM trigger_link_fires WHERE link_id = $1 AND entity_type = $2 AND entity_id = $3', [
        link.id,
        this.req.entityType,
        this.req.entityId,
      ]);
      if (fired.rowCount) skipped = `"${link.name}" fires once per ${WORD[this.req.entityType]} and already fired for this one`;
    }
    this.clock.push({ kind: 'point', at, mail, point: 'link_clicked', triggerIds: link.trigger_ids, text: `link ${link.id} "${link.name}" clicked in mail ${mail.n}`, skipped });
  }

  private async trigger(at: number, mail: SimMail, point: SimPoint, t: Trigger): Promise<void> {
    const info = { id: t.id, name: t.name, action: t.action, delaySeconds: t.delaySeconds };
    if (!t.active) {
      this.step(at, mail, { kind: 'trigger', point, trigger: info, skipped: 'the trigger is switched off', text: `trigger "${t.name}" is switched off: nothing happens` });
      return;
    }
    const ctx: PlanContext = {
      entity: { type: this.req.entityType, id: this.req.entityId },
      point,
      email: {
        id: `dry-run-mail-${mail.n}`,
        subject: mail.template.subject,
        sentAt: this.req.scenario.kind === 'failed' ? null : this.clock.time(mail.sentAt),
        templateId: mail.template.id,
        mailboxId: mail.mailboxId ?? '',
        userId: this.auth.userId,
        contactIds: automaticRecipients(this.data).contactIds,
      },
      vars: point === 'failed' ? { error: '(the mail server’s error)', error_code: '(code)' } : {},
      now: this.clock.time(at),
      data: needsEntityData(t.action) ? this.data : null,
    };
    let p: Plan;
    try {
      p = plan(t, ctx);
    } catch (err) {
      // What the engine would record as the run's error (e.g. a field deleted in Kommo since).
      p = { calls: [], skip: `it would fail: ${(err as Error).message}` };
    }
    const calls = await Promise.all(p.calls.map((c) => this.describeCall(c)));
    const what = p.skip ?? (calls.map((c) => (c.kind === 'kommo' ? `${c.method} ${c.path}` : `send "${c.templateName}"`)).join(', ') || 'nothing');
    this.step(at, mail, { kind: 'trigger', point, trigger: info, calls, skipped: p.skip, text: `trigger "${t.name}": ${what}` });
    for (const c of p.calls) {
      if (c.kind !== 'email') continue;
      if (mail.depth + 1 > MAX_DEPTH) {
        this.step(at, mail, { kind: 'depth_limit', text: `mails sent by triggers are followed ${MAX_DEPTH} deep; "${t.name}" would send more` });
        continue;
      }
      const tpl = await this.template(c.templateId);
      this.clock.push({ kind: 'send', at, templateId: c.templateId, depth: mail.depth + 1, mailboxId: await this.pickMailbox(tpl, c.mailboxId), by: t.name });
    }
  }

  private async describeCall(c: PlannedCall): Promise<DryRunCall> {
    if (c.kind === 'kommo') return { kind: 'kommo', method: c.method, path: c.path, body: c.body };
    const tpl = await this.template(c.templateId).catch(() => null);
    return { kind: 'email', templateId: c.templateId, templateName: tpl?.name ?? null, mailboxId: c.mailboxId };
  }

  /** The reason sendSystem would give for not sending (and whether it notes it in Kommo), or null. */
  private holdBack(tpl: TemplateInfo, at: number): { reason: string; note: boolean } | null {
    if (automaticRecipients(this.data).to.length === 0) return { reason: `no contact of this ${WORD[this.req.entityType]} has an email address`, note: false };
    const mine = this.sent.filter((s) => s.templateId === tpl.id);
    // The cap's "last 24 hours" as seen from the simulated moment of this send.
    const counts = { last24h: tpl.existing.last24h + mine.filter((s) => s.at > at - 86_400).length, ever: tpl.existing.ever + mine.length };
    const v = capVerdict(tpl.limits, counts, tpl.name, this.req.entityType);
    return v.ok ? null : { reason: v.reason, note: true };
  }

  private async pickMailbox(tpl: TemplateInfo, chosen: string | null): Promise<string | null> {
    const responsible = (this.data.lead ?? this.data.contact ?? this.data.company)?.responsible_user_id ?? null;
    const mb = await pickSendingMailbox(this.deps.db, this.auth.accountId, { chosenId: chosen, responsibleUserId: responsible, templateOwnerId: tpl.ownerUserId });
    return mb?.id ?? null;
  }

  private step(at: number, mail: SimMail | null, s: Partial<DryRunStep> & Pick<DryRunStep, 'kind' | 'text'>): DryRunStep {
    const step: DryRunStep = {
      offsetSeconds: at,
      at: this.clock.time(at).toISOString(),
      mail: mail?.n ?? 0,
      templateId: mail?.template.id ?? '',
      templateName: mail?.template.name ?? '',
      depth: mail?.depth ?? 0,
      point: null,
      trigger: null,
      calls: [],
      skipped: null,
      ...s,
    };
    this.steps.push(step);
    return step;
  }
}

export function fmt(seconds: number): string {
  if (seconds % 86_400 === 0 && seconds > 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0 && seconds > 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0 && seconds > 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
