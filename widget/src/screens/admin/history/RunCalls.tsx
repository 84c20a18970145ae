/** Under a trigger run in a mail's detail: each request it made to Kommo (or mail it sent) and the answer. */
import type { EmailView } from '../../../api/admin-history.js';
import type { T } from '../../../host/i18n.js';
import { useCtx } from '../../../ui/context.js';

type Run = EmailView['triggerRuns'][number];

/** An answer is Kommo's JSON: shown as text, cut where it stops being readable in a row. */
function answerText(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

/** A mail a trigger sent is ours, not a Kommo call: say to whom, not "Kommo answered". */
function emailWhat(answer: unknown, t: T): string {
  const to = (answer as { to?: unknown } | null | undefined)?.to;
  return Array.isArray(to) && to.length > 0 ? t('admin_history.calls.email_to', { list: to.join(', ') }) : t('admin_history.calls.email');
}

export function RunCalls({ run }: { run: Run }) {
  const { t } = useCtx();
  if (run.calls.length === 0 && !run.result) return null;
  return (
    <div class="leadmail-history-calls">
      {run.result && <div class="leadmail-history-calls__result">{t('admin_history.calls.result', { text: run.result })}</div>}
      {run.calls.map((c, i) => (
        <div key={i} class={`leadmail-history-call leadmail-history-call--${c.status}`}>
          <span class="leadmail-history-call__what">{c.kind === 'kommo' ? `${c.method ?? ''} ${c.path ?? c.op}`.trim() : emailWhat(c.answer, t)}</span>{' '}
          <span class="leadmail-history-call__status">{t(`admin_history.calls.status.${c.status}`)}</span>
          {c.error && <div class="leadmail-email__error">{c.error.message}</div>}
          {c.kind === 'kommo' && c.answer !== undefined && <div class="leadmail-history-call__answer">{t('admin_history.calls.answer', { text: answerText(c.answer) })}</div>}
        </div>
      ))}
    </div>
  );
}
