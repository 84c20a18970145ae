import { z } from 'zod';
import { IdParams } from '../../../shared/schemas/common.js';
import { MAX_TEMPLATE_ATTACHMENTS_BYTES, PreviewRequest, PreviewResult, SignatureInput, TemplateInput, TemplateListQuery, TemplateListView, TemplateView } from '../../../shared/schemas/template.js';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import { filesOf, uploadFiles } from '../../http/uploads.js';
import type { TemplatesService } from './templates.service.js';

export function registerTemplateRoutes(api: Api, svc: TemplatesService): void {
  const tag = 'templates';
  const upload = uploadFiles(MAX_TEMPLATE_ATTACHMENTS_BYTES);
  route(api, { method: 'get', path: '/api/templates', summary: 'My templates and public ones (all for admins)', tag, auth: 'widget', response: z.array(TemplateView) }, ({ auth }) =>
    svc.list(auth),
  );
  route(
    api,
    { method: 'get', path: '/api/template-list', summary: 'A page of the templates list (no bodies), searched by name or subject', tag, auth: 'widget', query: TemplateListQuery, response: TemplateListView },
    ({ auth, query }) => svc.page(auth, query),
  );
  route(
    api,
    { method: 'post', path: '/api/templates', summary: 'Create a template (JSON, or multipart with a "json" field and "files")', tag, auth: 'widget', body: TemplateInput, bodyType: 'multipart', middleware: [upload], response: TemplateView, successStatus: 201 },
    ({ auth, body, req }) => svc.create(auth, body, filesOf(req)),
  );
  route(api, { method: 'get', path: '/api/templates/:id', summary: 'One template', tag, auth: 'widget', params: IdParams, response: TemplateView }, ({ auth, params }) =>
    svc.get(auth, params.id),
  );
  route(api, { method: 'put', path: '/api/templates/:id', summary: 'Change a template', tag, auth: 'widget', params: IdParams, body: TemplateInput, response: TemplateView }, ({ auth, params, body }) =>
    svc.update(auth, params.id, body),
  );
  route(api, { method: 'delete', path: '/api/templates/:id', summary: 'Delete a template', tag, auth: 'widget', params: IdParams }, async ({ auth, params }) => {
    await svc.remove(auth, params.id);
  });
  route(
    api,
    { method: 'post', path: '/api/templates/:id/attachments', summary: 'Attach files (multipart "files"; 50 MB per template)', tag, auth: 'widget', params: IdParams, body: z.object({}), bodyType: 'multipart', middleware: [upload], response: TemplateView },
    ({ auth, params, req }) => svc.addAttachments(auth, params.id, filesOf(req)),
  );
  route(
    api,
    { method: 'delete', path: '/api/templates/:id/attachments/:attachmentId', summary: 'Remove an attached file', tag, auth: 'widget', params: IdParams.extend({ attachmentId: z.uuid() }) },
    async ({ auth, params }) => {
      await svc.removeAttachment(auth, params.id, params.attachmentId);
    },
  );
  route(
    api,
    { method: 'post', path: '/api/templates/:id/preview', summary: 'Render a template for a real CRM entity, with signature: exactly what would be sent', tag, auth: 'widget', params: IdParams, body: PreviewRequest, response: PreviewResult },
    ({ auth, params, body }) => svc.preview(auth, params.id, body),
  );
  route(
    api,
    { method: 'post', path: '/api/preview', summary: 'Render unsaved subject/html for a real CRM entity', tag, auth: 'widget', body: PreviewRequest, response: PreviewResult },
    ({ auth, body }) => svc.preview(auth, null, body),
  );
  route(api, { method: 'get', path: '/api/template-variables', summary: 'Variables available in this account (for the editor)', tag, auth: 'widget', response: z.array(z.record(z.string(), z.unknown())) }, ({ auth }) =>
    svc.variables(auth),
  );
  route(api, { method: 'get', path: '/api/me/signature', summary: 'My HTML signature', tag, auth: 'widget', response: SignatureInput }, ({ auth }) => svc.getSignature(auth));
  route(api, { method: 'put', path: '/api/me/signature', summary: 'Set my HTML signature', tag, auth: 'widget', body: SignatureInput, response: SignatureInput }, ({ auth, body }) =>
    svc.setSignature(auth, body.html),
  );
}
