/**
 * Trigger links: account objects (seed 004, "Trigger links configurations"). Anyone may list
 * them (the editor inserts their variables); only an administrator creates, edits or deletes.
 * Also the resolvers that turn `{{triggerlink 8}}` into a signed URL while a mail is composed.
 */
import type { TriggerLinkInput, TriggerLinkView } from '../../../shared/schemas/trigger-link.js';
import { triggerLinkVariable } from '../../../shared/schemas/trigger-link.js';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import type { Db } from '../../infra/db/db.js';
import { invalid, notFound } from '../../errors.js';
import { assertAdmin, type AuthContext } from '../../http/auth.js';
import type { TriggerLinkResolvers } from '../templates/compose.js';
import { TemplateUsageError, type TriggerLinkResolver } from '../templates/render/helpers.js';
import { clickToken, clickUrl, previewClickToken, rebindClickTokens } from '../tracking/click-token.js';
import * as repo from './trigger-links.repository.js';

export class TriggerLinksService implements TriggerLinkResolvers {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly publicUrl: string,
  ) {}

  async list(auth: AuthContext): Promise<TriggerLinkView[]> {
    return (await repo.listLinks(this.db, auth.accountId)).map(view);
  }

  async get(auth: AuthContext, id: number): Promise<TriggerLinkView> {
    const row = await repo.findLink(this.db, auth.accountId, id);
    if (!row) throw notFound('trigger link');
    return view(row);
  }

  async create(auth: AuthContext, input: TriggerLinkInput): Promise<TriggerLinkView> {
    assertAdmin(auth, 'create trigger links');
    const id = await repo.insertLink(this.db, auth.accountId, await this.columns(auth, input));
    return this.get(auth, id);
  }

  async update(auth: AuthContext, id: number, input: TriggerLinkInput): Promise<TriggerLinkView> {
    assertAdmin(auth, 'change trigger links');
    if (!(await repo.updateLink(this.db, auth.accountId, id, await this.columns(auth, input)))) throw notFound('trigger link');
    return this.get(auth, id);
  }

  /** Mail already sent keeps its URLs; a click on one of a deleted link says so (410) and fires nothing. */
  async remove(auth: AuthContext, id: number): Promise<void> {
    assertAdmin(auth, 'delete trigger links');
    if (!(await repo.deleteLink(this.db, auth.accountId, id))) throw notFound('trigger link');
  }

  /** `{{triggerlink N}}` → this email's signed click URL; N must be a link of the account. */
  async forEmail(accountId: number, emailId: string): Promise<TriggerLinkResolver> {
    return this.resolver(accountId, (id) => clickUrl(this.publicUrl, clickToken(this.box, emailId, id)));
  }

  rebind(html: string, fromEmailId: string, toEmailId: string): string {
    return rebindClickTokens(this.box, html, fromEmailId, toEmailId);
  }

  /** For previews: a URL that lands on the link's page but records and fires nothing. */
  async forPreview(accountId: number): Promise<TriggerLinkResolver> {
    return this.resolver(accountId, (id) => clickUrl(this.publicUrl, previewClickToken(this.box, id)));
  }

  private async resolver(accountId: number, url: (id: number) => string): Promise<TriggerLinkResolver> {
    // Loaded once per render: the helper is synchronous and a mail may hold many links.
    const known = await repo.linkIds(this.db, accountId);
    return {
      triggerlink(id) {
        // A template error (with the helper's line and column, see helpers.ts), not a broken
        // link in a customer's inbox.
        if (!known.has(id)) throw new TemplateUsageError(`{{triggerlink ${id}}}: there is no trigger link ${id} in this account`, null, null);
        return url(id);
      },
    };
  }

  private async columns(auth: AuthContext, input: TriggerLinkInput): Promise<repo.TriggerLinkColumns> {
    const found = await repo.existingTriggerIds(this.db, auth.accountId, input.triggerIds);
    input.triggerIds.forEach((id, i) => {
      if (!found.has(id)) throw invalid(`triggerIds.${i}`, `trigger ${id} does not exist`);
    });
    return { name: input.name, execute_once: input.executeOnce, redirect_url: input.redirectUrl, trigger_ids: [...new Set(input.triggerIds)] };
  }
}

function view(r: repo.TriggerLinkRow): TriggerLinkView {
  return {
    id: r.id,
    name: r.name,
    executeOnce: r.execute_once,
    redirectUrl: r.redirect_url,
    triggerIds: r.trigger_ids,
    variable: triggerLinkVariable(r.id),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
