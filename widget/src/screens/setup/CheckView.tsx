/**
 * A mailbox check as the user reads it: the light (green: sending and Sent folder work; grey:
 * sending works, IMAP off or failing; red: sending fails), then for each failing part the server's
 * own words and the plain-language hint. Server texts are rendered as text (Preact escapes).
 */
import type { CheckResult } from '../../api/setup.js';
import { key, type I18nKey } from '../../host/i18n.js';
import { useCtx } from '../../ui/context.js';

const STATUS: Record<CheckResult['status'], I18nKey> = {
  green: key('setup.status.green'),
  grey: key('setup.status.grey'),
  red: key('setup.status.red'),
  unknown: key('setup.status.unknown'),
};

function Part({ name, part }: { name: 'smtp' | 'imap'; part: CheckResult['smtp'] }) {
  const { t } = useCtx();
  if (part.ok || part.skipped) return null;
  return (
    <div class={`leadmail-setup-check__part leadmail-setup-check__part--${name}`}>
      <div class="leadmail-setup-check__server">{t(name === 'smtp' ? 'setup.smtp_said' : 'setup.imap_said', { text: part.serverText ?? '' })}</div>
      {part.hint && <div class="leadmail-setup-check__hint">{t('card.hint', { text: part.hint })}</div>}
    </div>
  );
}

export function CheckView({ result }: { result: CheckResult }) {
  const { t } = useCtx();
  return (
    <div class={`leadmail-setup-check leadmail-setup-check--${result.status}`} data-status={result.status} role="status">
      <div class="leadmail-setup-check__head">
        <span class={`leadmail-light leadmail-light--${result.status}`} />
        <span class="leadmail-setup-check__status">{t(STATUS[result.status])}</span>
      </div>
      <Part name="smtp" part={result.smtp} />
      <Part name="imap" part={result.imap} />
    </div>
  );
}
