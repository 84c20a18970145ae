/** The editor's form: what a template is while being edited, and the body PUT/POST sends. */
import type { TemplateBody, TemplateView, TriggerPoints } from '../../../api/admin-templates.js';

export interface Draft {
  name: string;
  subject: string;
  html: string;
  isPublic: boolean;
  disableSignature: boolean;
  linkAttachments: { url: string; filename: string }[];
  triggers: TriggerPoints;
  repeatLimit: number | null;
  ownerUserId: number;
}

export const draftOf = (tp: TemplateView | null, me: number): Draft => ({
  name: tp?.name ?? '',
  subject: tp?.subject ?? '',
  html: tp?.html ?? '',
  isPublic: tp?.isPublic ?? false,
  disableSignature: tp?.disableSignature ?? false,
  linkAttachments: (tp?.linkAttachments ?? []).map((l) => ({ url: l.url, filename: l.filename ?? '' })),
  triggers: tp?.triggers ?? { sent: [], opened: [], notOpened: null, failed: [] },
  repeatLimit: tp?.repeatLimit ?? null,
  ownerUserId: tp?.ownerUserId ?? me,
});

/** Only an administrator names the owner (the server refuses it from anyone else). */
export function bodyOf(d: Draft, isAdmin: boolean): TemplateBody {
  return {
    name: d.name,
    subject: d.subject,
    html: d.html,
    isPublic: d.isPublic,
    disableSignature: d.disableSignature,
    linkAttachments: d.linkAttachments.map((l) => ({ url: l.url.trim(), ...(l.filename.trim() ? { filename: l.filename.trim() } : {}) })),
    triggers: d.triggers,
    repeatLimit: d.repeatLimit,
    ...(isAdmin ? { ownerUserId: d.ownerUserId } : {}),
  };
}

/** The form's fields an error may name (server paths such as "linkAttachments.0.url" go to their head). */
export const FIELDS = ['name', 'subject', 'html', 'files', 'linkAttachments', 'triggers', 'repeatLimit', 'ownerUserId', 'isPublic', 'disableSignature'];
