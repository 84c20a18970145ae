/**
 * Pipeline actions: what a widget action in a Kommo pipeline stage does (template, delay,
 * filter), kept here and named in Kommo only by a signed token. Every operation is for account
 * administrators: a token is a capability (whoever holds it can make the account send its
 * template to a lead in a stage), and Kommo lets only administrators set up the pipeline.
 * Everything an action refers to is checked when it is saved, so an action that saves is one
 * that can send.
 */
import crypto from 'node:crypto';
import type { PipelineActionInput, PipelineActionPatch, PipelineActionView } from '../../../shared/schemas/pipeline.js';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import type { CrmClient } from '../../infra/crm/crm-client.js';
import type { Db } from '../../infra/db/db.js';
import { AppError, ErrorCode, invalid, notFound } from '../../errors.js';
import { assertAdmin, type AuthContext } from '../../http/auth.js';
import { actionToken } from './action-token.js';
import * as repo from './pipeline-actions.repository.js';
import type { PipelineActionColumns, PipelineActionRow } from './pipeline-actions.repository.js';

export interface PipelineActionsDeps {
  db: Db;
  box: SecretBox;
  crmFor(accountId: number): Promise<CrmClient>;
  /** TemplatesService.getUsable: a template of the account this user may use, or NOT_FOUND. */
  usableTemplate(auth: AuthContext, id: string): Promise<{ id: string; name: string }>;
}

const norm = (s: string): string => s.trim().toLowerCase();

export class PipelineActionsService {
  constructor(private readonly deps: PipelineActionsDeps) {}

  async list(auth: AuthContext): Promise<PipelineActionView[]> {
    assertAdmin(auth, 'see digital pipeline actions');
    return (await repo.listActions(this.deps.db, auth.accountId)).map((r) => this.view(r));
  }

  async get(auth: AuthContext, id: string): Promise<PipelineActionView> {
    assertAdmin(auth, 'see digital pipeline actions');
    return this.view(await this.find(auth, id));
  }

  async create(auth: AuthContext, input: PipelineActionInput): Promise<PipelineActionView> {
    assertAdmin(auth, 'create digital pipeline actions');
    const columns = toColumns(input);
    await this.validate(auth, columns);
    const id = crypto.randomUUID();
    await repo.insertAction(this.deps.db, id, auth.accountId, auth.userId, columns);
    return this.get(auth, id);
  }

  async update(auth: AuthContext, id: string, patch: PipelineActionPatch): Promise<PipelineActionView> {
    assertAdmin(auth, 'change digital pipeline actions');
    const row = await this.find(auth, id);
    if (!row.template_id && !patch.templateId) throw invalid('templateId', 'the action’s template was deleted: choose another one');
    const columns: PipelineActionColumns = {
      name: patch.name ?? row.name,
      template_id: patch.templateId ?? row.template_id!,
      delay_seconds: patch.delaySeconds ?? row.delay_seconds,
      filter: patch.filter ?? row.filter,
      active: patch.active ?? row.active,
    };
    await this.validate(auth, columns);
    if (!(await repo.updateAction(this.deps.db, auth.accountId, id, columns))) throw notFound('pipeline action');
    return this.get(auth, id);
  }

  /** Kommo keeps calling with the token until the action is removed there; those calls then do nothing. */
  async remove(auth: AuthContext, id: string): Promise<void> {
    assertAdmin(auth, 'delete digital pipeline actions');
    if (!(await repo.deleteAction(this.deps.db, auth.accountId, id))) throw notFound('pipeline action');
  }

  private async find(auth: AuthContext, id: string): Promise<PipelineActionRow> {
    const row = await repo.findAction(this.deps.db, auth.accountId, id);
    if (!row) throw notFound('pipeline action');
    return row;
  }

  private async validate(auth: AuthContext, c: PipelineActionColumns): Promise<void> {
    try {
      await this.deps.usableTemplate(auth, c.template_id);
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) throw invalid('templateId', `template ${c.template_id} does not exist in this account`);
      throw err;
    }
    // The filter is judged by dp-filter.ts against the lead's fields by id, name or code: a
    // field Kommo does not have would skip every lead, silently.
    if (c.filter.field) {
      const want = norm(c.filter.field);
      const fields = await (await this.deps.crmFor(auth.accountId)).listCustomFields('leads');
      const known = fields.some((f) => String(f.id) === want || norm(f.name) === want || norm(f.code ?? '') === want);
      if (!known) throw invalid('filter.field', `"${c.filter.field}" is not a lead field of this Kommo account`);
    }
  }

  private view(r: PipelineActionRow): PipelineActionView {
    return {
      id: r.id,
      name: r.name,
      templateId: r.template_id,
      templateName: r.template_name,
      delaySeconds: r.delay_seconds,
      filter: r.filter,
      active: r.active,
      token: actionToken(this.deps.box, r.id, r.account_id),
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    };
  }
}

function toColumns(input: PipelineActionInput): PipelineActionColumns {
  return { name: input.name, template_id: input.templateId, delay_seconds: input.delaySeconds, filter: input.filter, active: input.active };
}
