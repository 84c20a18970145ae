/**
 * Subject + HTML + signature for one entity: the single function behind both preview and send,
 * so the preview is exactly what would be sent.
 */
import type { Queryable } from '../../infra/db/db.js';
import type { AuthContext } from '../../http/auth.js';
import type { EntityData } from './entity-data.js';
import { getSignature } from './templates.repository.js';
import { buildTemplateContext } from './render/template-context.js';
import { renderTemplate } from './render/render.js';
import type { TriggerLinkResolver } from './render/helpers.js';

/**
 * Makes the `{{triggerlink N}}` resolver of one render (trigger-links.service.ts): bound to the
 * email being composed, so every mail gets its own signed URLs, or a preview URL that fires nothing.
 */
export interface TriggerLinkResolvers {
  forEmail(accountId: number, emailId: string): Promise<TriggerLinkResolver>;
  forPreview(accountId: number): Promise<TriggerLinkResolver>;
  /** A body rendered for one email with its trigger-link URLs signed for another (a resend). */
  rebind?(html: string, fromEmailId: string, toEmailId: string): string;
}

export interface ComposedMessage {
  subject: string;
  html: string;
  text: string;
}

export async function composeMessage(
  db: Queryable,
  auth: Pick<AuthContext, 'accountId' | 'userId'>,
  data: EntityData,
  source: { subject: string; html: string; disableSignature: boolean },
  /** Without it a template using `{{triggerlink N}}` fails (helpers.ts). */
  links?: TriggerLinkResolver,
): Promise<ComposedMessage> {
  const now = new Date();
  const signature = source.disableSignature ? '' : await getSignature(db, auth.accountId, auth.userId);
  const context = buildTemplateContext({
    lead: data.lead ?? undefined,
    contact: data.contact ?? undefined,
    company: data.company ?? undefined,
    responsible: data.responsible ?? undefined,
    sender: data.users.find((u) => u.id === auth.userId),
    fieldDefs: data.fieldDefs,
    pipelines: data.pipelines,
    now,
  });
  return renderTemplate({ subject: source.subject, html: source.html }, context, {
    signature: { html: signature || null, disabled: source.disableSignature },
    links,
    now,
  });
}
