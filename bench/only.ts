/**
 * `BENCH_ONLY=widget,drain npm run bench` runs only the named sections (unset: all of them), so
 * one figure can be re-measured without the whole run. Names: render, html-to-text,
 * hostile-template, queue, dp, mailings, tracking, stats, drain, crash, scale, widget, history,
 * mailing-detail.
 */
const only = process.env.BENCH_ONLY?.trim();
const names = only ? new Set(only.split(',').map((s) => s.trim()).filter(Boolean)) : null;

export function wanted(name: string): boolean {
  return names === null || names.has(name);
}
