/**
 * A render's budget. A template is code a tenant gives us: `{{#each}}` nested six levels deep
 * over the whole context multiplies to millions of iterations and held the event loop (and so
 * /health and every other tenant) for 30+ s. Loops are the only construct that multiplies work
 * (everything else is linear in the template, itself capped at 8 MB), so every loop iteration is
 * counted against one budget per render, and the output of each loop is capped: past either limit,
 * or past the time limit, the render stops with TEMPLATE_TOO_COMPLEX.
 *
 * The counter travels in the render's data frame (RenderRuntime.budget), like the clock and the
 * trigger links, so concurrent renders never share it.
 */
import type { HelperDelegate, HelperOptions } from 'handlebars';

export interface RenderLimits {
  /** Loop iterations ({{#each}}, and sections over lists) in one render of one part. */
  iterations: number;
  /** Characters one loop may produce; the email body limit is 8 MB. */
  outputChars: number;
  /** Wall-clock time of one render of one part. */
  millis: number;
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = { iterations: 20_000, outputChars: 8 * 1024 * 1024, millis: 1_000 };

export type BudgetReason = 'iterations' | 'output' | 'time';

export class RenderBudgetExceeded extends Error {
  constructor(
    readonly reason: BudgetReason,
    readonly limit: number,
    readonly line: number | null,
    readonly column: number | null,
  ) {
    super(`render budget exceeded (${reason})`);
    this.name = 'RenderBudgetExceeded';
  }
}

export class RenderBudget {
  private iterations = 0;
  private readonly deadline: number;

  constructor(
    readonly limits: RenderLimits = DEFAULT_RENDER_LIMITS,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.deadline = clock() + limits.millis;
  }

  /** One more loop iteration; `at` is the loop's position in the template. */
  tick(at: Position): void {
    if (++this.iterations > this.limits.iterations) throw exceeded('iterations', this.limits.iterations, at);
    // Checked per iteration: one iteration's work is linear in the (bounded) template.
    if (this.clock() > this.deadline) throw exceeded('time', this.limits.millis, at);
  }
}

type Position = { start: { line: number; column: number } } | undefined;

function exceeded(reason: BudgetReason, limit: number, at: Position): RenderBudgetExceeded {
  return new RenderBudgetExceeded(reason, limit, at?.start.line ?? null, at ? at.start.column + 1 : null);
}

type LoopOptions = HelperOptions & { loc?: Position };

/**
 * Wraps Handlebars' own `each` so each iteration is counted and the loop's output measured.
 * `blockHelperMissing` (a section over a list, `{{#lead.tags}}…{{/lead.tags}}`) calls the
 * instance's `each`, so it is covered as well.
 */
export function budgetedEach(each: HelperDelegate, budgetOf: (options: HelperOptions) => RenderBudget): HelperDelegate {
  const original = each as (this: unknown, ...args: unknown[]) => unknown;
  return function (this: unknown, ...args: unknown[]) {
    const options = args[args.length - 1] as LoopOptions | undefined;
    if (!options || typeof options.fn !== 'function') return original.apply(this, args);
    const budget = budgetOf(options);
    const fn = options.fn;
    let produced = 0;
    const counted = (context: unknown, runtimeOptions?: unknown): string => {
      budget.tick(options.loc);
      const out = fn(context, runtimeOptions as never);
      produced += out.length;
      if (produced > budget.limits.outputChars) throw exceeded('output', budget.limits.outputChars, options.loc);
      return out;
    };
    const wrapped = Object.assign(counted, { blockParams: (fn as { blockParams?: unknown }).blockParams });
    return original.apply(this, [...args.slice(0, -1), { ...options, fn: wrapped }]);
  };
}
