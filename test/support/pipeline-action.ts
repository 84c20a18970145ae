/**
 * The digital pipeline as Kommo drives it: an administrator creates a pipeline action through the
 * API (the widget's dpSettings), the signed token goes into the action's `action` setting, and
 * Kommo POSTs the hook with that token for each lead entering the stage.
 */
import supertest from 'supertest';
import type { Test } from 'supertest';
import type { World } from './world.js';

export interface ActionOptions {
  name?: string;
  templateId: string;
  delaySeconds?: number;
  filter?: { tag?: string; field?: string; value?: string };
  active?: boolean;
}

/** Creates the action as the world's admin; returns its id and signed token. */
export async function createPipelineAction(w: World, o: ActionOptions): Promise<{ id: string; token: string }> {
  const res = await w.api(w.admin).post('/api/pipeline-actions').send({ name: o.name ?? 'Send on stage', ...o });
  if (res.status !== 201) throw new Error(`creating a pipeline action failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, token: res.body.token };
}

export interface DpLead {
  leadId: number;
  statusId: number;
  pipelineId: number;
}

/** Kommo's widget-action payload (kommo-reference.md), with the action's token in its one setting. */
export function dpPayload(
  l: DpLead,
  settings: Record<string, unknown>,
  over: { accountId: number; subdomain: string; time?: number },
): Record<string, unknown> {
  return {
    event: {
      type: 15,
      type_code: 'lead_appeared_in_status',
      data: { id: l.leadId, element_type: 2, status_id: l.statusId, pipeline_id: l.pipelineId },
      time: over.time ?? Math.floor(Date.now() / 1000),
    },
    action: { settings: { widget: { settings } } },
    subdomain: over.subdomain,
    account_id: over.accountId,
  };
}

export const postDpHook = (w: World, body: unknown): Test => supertest(w.server.url).post('/hooks/kommo/dp').send(body as object);
