/**
 * Triggers of an account: any user may list them (the widget's mail editor picks triggers), only
 * an administrator may create, change or delete one. Parameters are checked against Kommo when
 * saved (trigger-validation.ts), and a save that would close a send loop is refused.
 */
import crypto from 'node:crypto';
import type { TriggerInput, TriggerView } from '../../../shared/schemas/trigger.js';
import { withTransaction, type Db } from '../../infra/db/db.js';
import type { CrmClient } from '../../infra/crm/crm-client.js';
import { AppError, ErrorCode, notFound } from '../../errors.js';
import { assertAdmin, type AuthContext } from '../../http/auth.js';
import { assertNoAutomationLoop } from '../automation/loop-guard.loader.js';
import * as repo from './triggers.repository.js';
import type { Trigger } from './triggers.repository.js';
import { validateTriggerParams } from './trigger-validation.js';

export class TriggersService {
  constructor(
    private readonly db: Db,
    private readonly crmFor: (accountId: number) => Promise<CrmClient>,
  ) {}

  async list(auth: AuthContext): Promise<TriggerView[]> {
    return (await repo.listTriggers(this.db, auth.accountId)).map(view);
  }

  async get(auth: AuthContext, id: string): Promise<TriggerView> {
    return view(await this.find(auth, id));
  }

  async create(auth: AuthContext, input: TriggerInput): Promise<TriggerView> {
    assertAdmin(auth, 'create triggers');
    await this.validate(auth, input);
    const id = crypto.randomUUID();
    await withTransaction(this.db, async (tx) => {
      await repo.insertTrigger(tx, id, auth.accountId, input);
      await assertNoAutomationLoop(tx, auth.accountId, { triggerIds: [id] }, 'params.templateId');
    });
    return this.get(auth, id);
  }

  async update(auth: AuthContext, id: string, input: TriggerInput): Promise<TriggerView> {
    assertAdmin(auth, 'change triggers');
    await this.find(auth, id);
    await this.validate(auth, input);
    await withTransaction(this.db, async (tx) => {
      await repo.updateTrigger(tx, auth.accountId, id, input);
      await assertNoAutomationLoop(tx, auth.accountId, { triggerIds: [id] }, 'params.templateId');
    });
    return this.get(auth, id);
  }

  /**
   * Refused while templates or trigger links use the trigger: deleting it would silently change
   * what they do. Its past executions go with it (switch it off instead to keep the history).
   */
  async remove(auth: AuthContext, id: string): Promise<void> {
    assertAdmin(auth, 'delete triggers');
    await this.find(auth, id);
    const users = await repo.triggerUsers(this.db, auth.accountId, id);
    if (users.templates.length || users.links.length) {
      const named = [
        ...users.templates.map((n) => `template "${n}"`),
        ...users.links.map((n) => `trigger link "${n}"`),
      ].join(', ');
      throw new AppError(ErrorCode.CONFLICT, `the trigger is used by ${named}; remove it there first, or switch it off`, users);
    }
    await repo.deleteTrigger(this.db, auth.accountId, id);
  }

  private async find(auth: AuthContext, id: string): Promise<Trigger> {
    const t = await repo.findTrigger(this.db, auth.accountId, id);
    if (!t) throw notFound('trigger');
    return t;
  }

  private async validate(auth: AuthContext, input: TriggerInput): Promise<void> {
    // Building the client costs no request: only what the action refers to is read from Kommo.
    await validateTriggerParams(this.db, await this.crmFor(auth.accountId), auth.accountId, input);
  }
}

function view(t: Trigger): TriggerView {
  return {
    id: t.id,
    name: t.name,
    action: t.action,
    params: t.params,
    delaySeconds: t.delaySeconds,
    active: t.active,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  } as TriggerView;
}
