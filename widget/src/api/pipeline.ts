/** The pipeline picker's calls: signed digital-pipeline actions (administrators only) and lead fields. */
import type { z } from 'zod';
import type { PipelineActionInput, PipelineActionPatch, PipelineActionView } from '../../../shared/schemas/pipeline.js';
import type { Transport } from '../host/transport.js';

export type { PipelineActionView };
export type ActionInput = z.input<typeof PipelineActionInput>;
export type ActionPatch = z.input<typeof PipelineActionPatch>;

const enc = encodeURIComponent;

/** The action a token names: tokens are `<id>.<account>.<signature>`. */
export const actionIdOf = (token: string): string | null => /^([0-9a-f-]{36})\./i.exec(token.trim())?.[1] ?? null;

export const listActions = (rq: Transport) => rq<PipelineActionView[]>('GET', '/api/pipeline-actions');
export const getAction = (rq: Transport, id: string) => rq<PipelineActionView>('GET', `/api/pipeline-actions/${enc(id)}`);
export const createAction = (rq: Transport, body: ActionInput) => rq<PipelineActionView>('POST', '/api/pipeline-actions', { json: body });
export const updateAction = (rq: Transport, id: string, body: ActionPatch) => rq<PipelineActionView>('PATCH', `/api/pipeline-actions/${enc(id)}`, { json: body });

/** Lead fields a filter may compare (by id), from the variable catalogue ("Lead: Budget (field 12)"). */
export async function leadFields(rq: Transport): Promise<{ id: number; label: string }[]> {
  const vars = await rq<{ key?: unknown; label?: unknown }[]>('GET', '/api/template-variables');
  const out: { id: number; label: string; full: string }[] = [];
  for (const v of vars) {
    const m = typeof v.key === 'string' ? /^lead\.fields\.\[(\d+)\]$/.exec(v.key) : null;
    if (!m) continue;
    const full = typeof v.label === 'string' ? v.label.replace(/^[^:]*:\s*/, '') : `#${m[1]}`;
    out.push({ id: Number(m[1]), full, label: full.replace(/\s*\(field \d+\)$/, '') });
  }
  // Two fields with one name stay told apart by their ids.
  const names = new Map<string, number>();
  for (const f of out) names.set(f.label, (names.get(f.label) ?? 0) + 1);
  return out.map((f) => ({ id: f.id, label: (names.get(f.label) ?? 0) > 1 ? f.full : f.label }));
}
