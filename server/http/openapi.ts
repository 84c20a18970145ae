/** OpenAPI 3.1 document generated from the route registry's zod schemas (zod 4 emits JSON Schema). */
import { z } from 'zod';
import type { AnyRouteSpec } from './route.js';

const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional(), errorId: z.string().optional() }),
});

function schema(s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

export const toOpenApiPath = (p: string): string => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(spec: AnyRouteSpec): unknown[] {
  const out: unknown[] = [];
  for (const [where, s] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!s) continue;
    const js = schema(s, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop });
    }
  }
  return out;
}

export function buildOpenApiDocument(routes: AnyRouteSpec[], info: { version: string; serverUrl: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const p = toOpenApiPath(spec.path);
    const op: Record<string, unknown> = {
      summary: spec.summary,
      tags: [spec.tag],
      parameters: parameters(spec),
      responses: {
        [String(spec.successStatus ?? 200)]: spec.responseContentType
          ? { description: 'OK', content: { [spec.responseContentType]: spec.response ? { schema: schema(spec.response, 'output') } : {} } }
          : spec.response
            ? { description: 'OK', content: { 'application/json': { schema: schema(spec.response, 'output') } } }
            : { description: 'No content' },
        default: { description: 'Error', content: { 'application/json': { schema: schema(ErrorBody, 'output') } } },
      },
    };
    if (spec.auth === 'widget') op.security = [{ kommoWidgetToken: [] }];
    if (spec.body) {
      const contentType = spec.bodyType === 'multipart' ? 'multipart/form-data' : 'application/json';
      const bodySchema =
        spec.bodyType === 'multipart'
          ? {
              type: 'object',
              properties: {
                json: { type: 'string', description: 'JSON document matching the schema below', contentSchema: schema(spec.body, 'input') },
                files: { type: 'array', items: { type: 'string', format: 'binary' } },
              },
            }
          : schema(spec.body, 'input');
      op.requestBody = { required: true, content: { [contentType]: { schema: bodySchema } } };
    }
    (paths[p] ??= {})[spec.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'leadmail API', version: info.version, description: 'Email automation for the Kommo CRM.' },
    servers: [{ url: info.serverUrl }],
    components: {
      securitySchemes: {
        kommoWidgetToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: "Kommo's disposable widget JWT" },
      },
    },
    paths,
  };
}
