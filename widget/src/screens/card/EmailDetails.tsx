/** A mail's trigger runs and its tracked hits with the verdict on each (person or machine, and why). */
import type { ComponentChildren } from 'preact';
import type { EmailView } from '../../api/client.js';
import { key, type I18nKey } from '../../host/i18n.js';
import { useCtx } from '../../ui/context.js';
import { formatTime } from '../../ui/format.js';

type Hit = EmailView['tracking']['hits'][number];
type Run = EmailView['triggerRuns'][number];

const KIND: Record<Hit['kind'], I18nKey> = {
  open: key('card.hit_kind.open'),
  click: key('card.hit_kind.click'),
  honeypot: key('card.hit_kind.honeypot'),
  web: key('card.hit_kind.web'),
};

/** Why a hit counts as a person or a machine, in words (the history page's events say it too). */
export const REASON: Record<Hit['reason'], I18nKey> = {
  human: key('card.reason.human'),
  gmail_proxy_open: key('card.reason.gmail_proxy_open'),
  pending: key('card.reason.pending'),
  no_user_agent: key('card.reason.no_user_agent'),
  head_request: key('card.reason.head_request'),
  gmail_image_proxy: key('card.reason.gmail_image_proxy'),
  yahoo_mail_proxy: key('card.reason.yahoo_mail_proxy'),
  apple_mpp_ip: key('card.reason.apple_mpp_ip'),
  apple_mpp_agent: key('card.reason.apple_mpp_agent'),
  scanner_agent: key('card.reason.scanner_agent'),
  bot_agent: key('card.reason.bot_agent'),
  honeypot: key('card.reason.honeypot'),
  burst: key('card.reason.burst'),
  too_fast: key('card.reason.too_fast'),
  not_sent: key('card.reason.not_sent'),
  scanner_pair: key('card.reason.scanner_pair'),
};

const RUN: Record<Run['status'], I18nKey> = {
  scheduled: key('card.run_status.scheduled'),
  running: key('card.run_status.running'),
  done: key('card.run_status.done'),
  failed: key('card.run_status.failed'),
  skipped: key('card.run_status.skipped'),
};

/** `runExtra`: more about each trigger run under it (the history page shows Kommo's answers there). */
export function EmailDetails({ email: e, runExtra }: { email: EmailView; runExtra?: (run: Run) => ComponentChildren }) {
  const { t, lang } = useCtx();
  return (
    <div class="leadmail-details">
      {e.triggerRuns.length > 0 && (
        <div class="leadmail-details__section">
          <div class="leadmail-details__title">{t('card.triggers')}</div>
          <ul class="leadmail-runs">
            {e.triggerRuns.map((r) => (
              <li key={`${r.triggerId}-${r.point}-${r.runAt}`} class={`leadmail-run leadmail-run--${r.status}`}>
                <span class="leadmail-run__name">{r.name}</span> · <span>{t(RUN[r.status])}</span>
                {r.error && <div class="leadmail-email__error">{r.error}</div>}
                {runExtra?.(r)}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="leadmail-details__section">
        <div class="leadmail-details__title">{t('card.tracking')}</div>
        {e.tracking.hits.length === 0 && <div class="leadmail-muted">{t('card.no_hits')}</div>}
        <ul class="leadmail-hits">
          {e.tracking.hits.map((h, i) => (
            <li key={`${h.at}-${i}`} class={`leadmail-hit leadmail-hit--${h.human === null ? 'pending' : h.human ? 'human' : 'machine'}`}>
              <div>
                <b>{t(KIND[h.kind])}</b> · {h.human === null ? t('card.pending') : h.human ? t('card.human') : t('card.machine')}
                {h.reason !== 'human' && h.reason !== 'pending' && ` (${t(REASON[h.reason])})`} ·{' '}
                <span class="leadmail-muted">{formatTime(lang, h.at)}</span>
              </div>
              {h.detail && <div class="leadmail-muted">{h.detail}</div>}
              {h.userAgent && <div class="leadmail-hit__ua">{h.userAgent}</div>}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
