/**
 * The templates page's calls: the paged list, one template, save (JSON, or multipart with its
 * first files), files, delete, preview and dry run. Types from shared/schemas (type-only imports:
 * zod stays out of the bundle; the server validates every request).
 */
import type { z } from 'zod';
import type { EntityType } from '../../../shared/schemas/common.js';
import type { DryRunResult, DryRunScenario, DryRunStep, DryRunCall } from '../../../shared/schemas/dry-run.js';
import type { PreviewResult, TemplateInput, TemplateListView, TemplateListItem, TemplateView, TriggerPoints } from '../../../shared/schemas/template.js';
import type { TriggerLinkView } from '../../../shared/schemas/trigger-link.js';
import type { TriggerView } from '../../../shared/schemas/trigger.js';
import type { Transport } from '../host/transport.js';
import type { TemplateVariable } from './compose.js';

export type { DryRunCall, DryRunResult, DryRunScenario, DryRunStep, TemplateListItem, TemplateListView, TemplateVariable, TemplateView, TriggerLinkView, TriggerPoints, TriggerView };
export type TemplateBody = z.input<typeof TemplateInput>;
export type Preview = z.infer<typeof PreviewResult>;
export interface EntityRef {
  entityType: EntityType;
  entityId: number;
}

const enc = encodeURIComponent;

export const templatesApi = (rq: Transport) => ({
  list: (q: { q?: string; page: number; limit: number }) =>
    rq<TemplateListView>('GET', '/api/template-list', { query: { ...(q.q ? { q: q.q } : {}), page: q.page, limit: q.limit } }),
  get: (id: string) => rq<TemplateView>('GET', `/api/templates/${enc(id)}`),
  /** A new template goes with its first files in one multipart request (the server checks 50 MB). */
  create: (body: TemplateBody, files: File[]) => {
    if (files.length === 0) return rq<TemplateView>('POST', '/api/templates', { json: body });
    const form = new FormData();
    form.append('json', JSON.stringify(body));
    for (const f of files) form.append('files', f, f.name);
    return rq<TemplateView>('POST', '/api/templates', { form });
  },
  update: (id: string, body: TemplateBody) => rq<TemplateView>('PUT', `/api/templates/${enc(id)}`, { json: body }),
  remove: (id: string) => rq<void>('DELETE', `/api/templates/${enc(id)}`),
  addFiles: (id: string, files: File[], onProgress?: (f: number) => void) => {
    const form = new FormData();
    for (const f of files) form.append('files', f, f.name);
    return rq<TemplateView>('POST', `/api/templates/${enc(id)}/attachments`, { form, ...(onProgress ? { onProgress } : {}) });
  },
  removeFile: (id: string, fileId: string) => rq<void>('DELETE', `/api/templates/${enc(id)}/attachments/${enc(fileId)}`),
  /** Unsaved subject and body win over the stored ones; a template not saved yet previews without an id. */
  preview: (id: string | null, req: EntityRef & { subject: string; html: string; disableSignature: boolean }) =>
    rq<Preview>('POST', id ? `/api/templates/${enc(id)}/preview` : '/api/preview', { json: req }),
  dryRun: (id: string, req: EntityRef & { scenario: DryRunScenario }) => rq<DryRunResult>('POST', `/api/templates/${enc(id)}/dry-run`, { json: req }),
  variables: () => rq<TemplateVariable[]>('GET', '/api/template-variables'),
  triggers: () => rq<TriggerView[]>('GET', '/api/triggers'),
  triggerLinks: () => rq<TriggerLinkView[]>('GET', '/api/trigger-links'),
});

export type TemplatesApi = ReturnType<typeof templatesApi>;
