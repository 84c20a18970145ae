/**
 * Automation that cannot run away (seed 004, "About automation"): a template whose own trigger
 * points (sent, opened, not opened, failed) send it again — directly, or through other templates
 * whose triggers come back to it — would mail a client without end, worst of all through
 * "not opened" when the client never opens anything. Such a loop is refused when saved, unless a
 * template in it has an explicit repeat limit, which bounds it.
 *
 * This file is the pure graph; loop-guard.loader.ts reads it from the database.
 */
import { EMAIL_TRIGGER_POINTS, type EmailTriggerPoint } from './automation.port.js';

export interface LoopTemplate {
  id: string;
  name: string;
  repeatLimit: number | null;
  points: Partial<Record<EmailTriggerPoint, string[]>>;
}

export interface LoopTrigger {
  id: string;
  name: string;
  /** The template a `send_email` trigger sends; null for every other action. */
  sendsTemplateId: string | null;
}

/** One hop of a loop: `from` is sent, reaches `point`, and `trigger` sends `to`. */
export interface LoopStep {
  from: { id: string; name: string };
  point: EmailTriggerPoint;
  trigger: { id: string; name: string };
  to: { id: string; name: string };
}

/** Where to look: loops through a saved template, or through the edges of a saved trigger. */
export interface LoopFocus {
  templateIds?: string[];
  triggerIds?: string[];
}

interface Edge {
  point: EmailTriggerPoint;
  trigger: LoopTrigger;
  to: LoopTemplate;
}

/**
 * The shortest unbounded loop through the focus, or null. Templates with a repeat limit are left
 * out of the graph: every loop through one of them ends when its limit is reached.
 * Without a focus, any unbounded loop of the account is reported.
 */
export function findUnboundedLoop(templates: LoopTemplate[], triggers: LoopTrigger[], focus: LoopFocus = {}): LoopStep[] | null {
  const unbounded = new Map(templates.filter((t) => t.repeatLimit === null).map((t) => [t.id, t]));
  const triggerById = new Map(triggers.map((t) => [t.id, t]));
  const edges = new Map<string, Edge[]>();
  for (const t of unbounded.values()) {
    const out: Edge[] = [];
    for (const point of EMAIL_TRIGGER_POINTS) {
      for (const id of t.points[point] ?? []) {
        const trigger = triggerById.get(id);
        const to = trigger?.sendsTemplateId ? unbounded.get(trigger.sendsTemplateId) : undefined;
        if (trigger && to) out.push({ point, trigger, to });
      }
    }
    edges.set(t.id, out);
  }

  const starts: { from: LoopTemplate; first: Edge[] }[] = [];
  for (const id of focus.templateIds ?? []) {
    const t = unbounded.get(id);
    if (t) starts.push({ from: t, first: edges.get(id) ?? [] });
  }
  // A saved trigger closes a loop only through an edge it is on.
  const savedTriggers = new Set(focus.triggerIds ?? []);
  if (savedTriggers.size) {
    for (const t of unbounded.values()) {
      const first = (edges.get(t.id) ?? []).filter((e) => savedTriggers.has(e.trigger.id));
      if (first.length) starts.push({ from: t, first });
    }
  }
  if (!focus.templateIds?.length && !savedTriggers.size) {
    for (const t of unbounded.values()) starts.push({ from: t, first: edges.get(t.id) ?? [] });
  }

  let best: LoopStep[] | null = null;
  for (const s of starts) {
    const loop = shortestLoop(s.from, s.first, edges, unbounded);
    if (loop && (!best || loop.length < best.length)) best = loop;
  }
  return best;
}

/** Breadth-first from the first edges back to `start`: the fewest hops make the clearest message. */
function shortestLoop(start: LoopTemplate, first: Edge[], edges: Map<string, Edge[]>, nodes: Map<string, LoopTemplate>): LoopStep[] | null {
  const cameBy = new Map<string, { prev: string; edge: Edge }>();
  const queue: string[] = [];
  for (const e of first) {
    if (e.to.id === start.id) return [step(start, e)];
    if (!cameBy.has(e.to.id)) {
      cameBy.set(e.to.id, { prev: start.id, edge: e });
      queue.push(e.to.id);
    }
  }
  const byId = (id: string): LoopTemplate => nodes.get(id)!;
  while (queue.length) {
    const at = queue.shift()!;
    for (const e of edges.get(at) ?? []) {
      if (e.to.id === start.id) {
        const path: LoopStep[] = [step(byId(at), e)];
        for (let cur = at; cur !== start.id; ) {
          const c = cameBy.get(cur)!;
          path.unshift(step(byId(c.prev), c.edge));
          cur = c.prev;
        }
        return path;
      }
      if (!cameBy.has(e.to.id) && e.to.id !== start.id) {
        cameBy.set(e.to.id, { prev: at, edge: e });
        queue.push(e.to.id);
      }
    }
  }
  return null;
}

const step = (from: LoopTemplate, e: Edge): LoopStep => ({
  from: { id: from.id, name: from.name },
  point: e.point,
  trigger: { id: e.trigger.id, name: e.trigger.name },
  to: { id: e.to.id, name: e.to.name },
});

export const POINT_LABELS: Record<EmailTriggerPoint, string> = { sent: 'sent', opened: 'opened', not_opened: 'not opened', failed: 'failed' };

/** `sending "Offer" → not opened → trigger "Resend" sends "Offer" again` */
export function describeLoop(loop: LoopStep[]): string {
  const parts = [`sending "${loop[0]!.from.name}"`];
  loop.forEach((s, i) => {
    const last = i === loop.length - 1;
    parts.push(`${POINT_LABELS[s.point]}`, `trigger "${s.trigger.name}" sends "${s.to.name}"${last ? ' again' : ''}`);
  });
  return parts.join(' → ');
}
