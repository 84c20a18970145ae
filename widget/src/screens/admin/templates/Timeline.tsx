/**
 * The dry run drawn as a vertical timeline: each step at its time after the mail under test is
 * sent, what fires (a trigger point, a trigger, a further mail) and the Kommo requests it would
 * make. Mails sent by triggers are indented by how far down the chain they are.
 */
import type { DryRunCall, DryRunResult, DryRunStep } from '../../../api/admin-templates.js';
import { key, type I18nKey, type T } from '../../../host/i18n.js';
import { useCtx } from '../../../ui/context.js';

const POINT: Record<NonNullable<DryRunStep['point']>, I18nKey> = {
  sent: key('admin_templates.dry.point.sent'),
  opened: key('admin_templates.dry.point.opened'),
  not_opened: key('admin_templates.dry.point.not_opened'),
  failed: key('admin_templates.dry.point.failed'),
  link_clicked: key('admin_templates.dry.point.link_clicked'),
};

const ACTION: Record<string, I18nKey> = {
  set_task: key('admin_templates.action.set_task'),
  add_note: key('admin_templates.action.add_note'),
  change_status: key('admin_templates.action.change_status'),
  change_field: key('admin_templates.action.change_field'),
  send_email: key('admin_templates.action.send_email'),
  create_lead: key('admin_templates.action.create_lead'),
  change_tags: key('admin_templates.action.change_tags'),
};

/** "+0", "+45 min", "+1 d 2 h": the largest two units that are not zero. */
export function offsetText(t: T, seconds: number): string {
  const units: [number, I18nKey][] = [
    [86400, key('admin_templates.dry.unit.d')],
    [3600, key('admin_templates.dry.unit.h')],
    [60, key('admin_templates.dry.unit.min')],
    [1, key('admin_templates.dry.unit.s')],
  ];
  let left = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [size, k] of units) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (n > 0 && parts.length < 2) parts.push(t(k, { n }));
    else if (parts.length > 0) break;
  }
  return `+${parts.length ? parts.join(' ') : '0'}`;
}

function title(t: T, s: DryRunStep): string {
  switch (s.kind) {
    case 'send':
      return t('admin_templates.dry.step.send', { n: s.mail, name: s.templateName });
    case 'point':
      return t(s.point ? POINT[s.point] : key('admin_templates.dry.point.sent'), { n: s.mail });
    case 'trigger': {
      const action = s.trigger && ACTION[s.trigger.action] ? t(ACTION[s.trigger.action]!) : (s.trigger?.action ?? '');
      return t('admin_templates.dry.step.trigger', { name: s.trigger?.name ?? '', action });
    }
    case 'timer_cancelled':
      return t('admin_templates.dry.step.timer_cancelled', { n: s.mail });
    case 'held_back':
      return t('admin_templates.dry.step.held_back', { name: s.templateName });
    case 'depth_limit':
      return t('admin_templates.dry.step.depth_limit');
  }
}

function Call({ call }: { call: DryRunCall }) {
  const { t } = useCtx();
  if (call.kind === 'email') {
    return <li class="leadmail-tpl-call leadmail-tpl-call--email">✉ {t('admin_templates.dry.call_email', { name: call.templateName ?? call.templateId })}</li>;
  }
  return (
    <li class="leadmail-tpl-call leadmail-tpl-call--kommo">
      <details>
        <summary>
          <code class="leadmail-tpl-call__req">
            {call.method} {call.path}
          </code>
        </summary>
        <pre class="leadmail-tpl-call__body">{JSON.stringify(call.body, null, 2)}</pre>
      </details>
    </li>
  );
}

export function Timeline({ result }: { result: DryRunResult }) {
  const { t } = useCtx();
  return (
    <div class="leadmail-tpl-dry">
      <div class="leadmail-muted leadmail-tpl-dry__cap">
        {t('admin_templates.dry.cap', {
          perDay: result.cap.perDay,
          sent: result.cap.sentLast24h,
          limit: result.cap.repeatLimit ?? t('admin_templates.repeat_none'),
        })}
      </div>
      {result.steps.length === 0 ? (
        <p class="leadmail-muted">{t('admin_templates.dry.nothing')}</p>
      ) : (
        <ol class="leadmail-tpl-timeline">
          {result.steps.map((s, i) => (
            <li
              key={i}
              class={`leadmail-tpl-step leadmail-tpl-step--${s.kind}${s.skipped ? ' leadmail-tpl-step--skipped' : ''}`}
              data-kind={s.kind}
              data-point={s.point ?? ''}
              data-offset={s.offsetSeconds}
              style={{ marginLeft: `${s.depth * 24}px` }}
            >
              <div class="leadmail-tpl-step__time">{offsetText(t, s.offsetSeconds)}</div>
              <div class="leadmail-tpl-step__dot" aria-hidden="true" />
              <div class="leadmail-tpl-step__body">
                <div class="leadmail-tpl-step__title">{title(t, s)}</div>
                <div class="leadmail-tpl-step__text">{s.text}</div>
                {s.skipped && <div class="leadmail-tpl-step__skipped">{t('admin_templates.dry.skipped', { why: s.skipped })}</div>}
                {s.calls.length > 0 && (
                  <ul class="leadmail-tpl-step__calls">
                    {s.calls.map((c, j) => (
                      <Call key={j} call={c} />
                    ))}
                  </ul>
                )}
              </div>
            </li>
          ))}
        </ol>
      )}
      {result.assumptions.length > 0 && (
        <details class="leadmail-tpl-dry__assumptions">
          <summary>{t('admin_templates.dry.assumptions')}</summary>
          <ul>
            {result.assumptions.map((a) => (
              <li key={a}>{a}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
