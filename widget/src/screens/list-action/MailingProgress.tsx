/**
 * A mailing on its way: progress bar, counts by outcome, rate and ETA (saying when the daily cap
 * makes it wait), pause/resume/cancel, skips and failures grouped by reason; once finished, the
 * reminder to those who did not respond. Polls GET /api/mailings/:id while anything can change;
 * a failed poll is shown with "Try again" and retried by itself with a growing delay, so a network
 * hiccup never freezes the bar.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../../api/mailings.js';
import type { MailboxView, MailingView } from '../../api/mailings.js';
import { key, type I18nKey } from '../../host/i18n.js';
import { useCtx } from '../../ui/context.js';
import { formatTime } from '../../ui/format.js';
import { ACTIVE, etaKind, fromNow, progressOf, ratePerMinute } from './progress-math.js';
import { ReminderForm } from './ReminderForm.js';
import { REASON_KIND, STATUS, useMailing } from './use-mailing.js';

/**
 * `onView` hears every fresh view of the mailing (the admin page reloads its recipients and stats
 * with it); without `close` there is no Close button (the admin page has its own way back). The
 * list action passes `close` and no `onView`.
 */
export function MailingProgress({ id, close, onFollow, onView }: { id: string; close?: () => void; onFollow: (id: string) => void; onView?: (m: MailingView) => void }) {
  const { t, lang, api: client } = useCtx();
  const rq = client.request;
  const { m, error, failures, busy, load, act } = useMailing(id, onView);
  const [box, setBox] = useState<MailboxView | null>(null);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  // The mailbox's pace and daily cap explain the ETA; "responsible" mailings have none to show.
  const mailboxId = m?.mailboxId ?? null;
  useEffect(() => {
    if (!mailboxId) return;
    api.mailbox(rq, mailboxId).then(
      (b) => alive.current && setBox(b),
      () => undefined, // Not the sender's own mailbox: the ETA is shown without the explanation.
    );
  }, [rq, mailboxId]);

  const errorBox = error && (
    <div class="leadmail-alert leadmail-alert--error leadmail-mailing__error" role="alert">
      <span>{error}</span>{' '}
      {failures > 0 && (
        <button type="button" class="leadmail-btn leadmail-btn--link leadmail-mailing__retry" onClick={() => void load()}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );

  if (!m) {
    return (
      <div class="leadmail-list-action leadmail-mailing">
        {error ? (
          errorBox
        ) : (
          <div class="leadmail-muted">{t('common.loading')}</div>
        )}
      </div>
    );
  }

  const now = Date.now();
  const p = progressOf(m);
  const c = m.counts;
  const eta = etaKind(m, box, now);
  const waitingToStart = m.startAt && Date.parse(m.startAt) > now && ACTIVE.includes(m.status);
  const counts: [string, I18nKey, number][] = [
    ['sent', key('list.count.sent'), c.sent],
    ['failed', key('list.count.failed'), c.failed],
    ['skipped', key('list.count.skipped'), c.skipped],
    ['unknown', key('list.count.unknown'), c.unknown],
    ['waiting', key('list.count.waiting'), p.waiting],
    ['cancelled', key('list.count.cancelled'), c.cancelled],
  ];

  return (
    <div class="leadmail-list-action leadmail-mailing" data-mailing-id={m.id} data-status={m.status} data-sent={c.sent} data-percent={p.percent}>
      <h2 class="leadmail-h2">{m.parentMailingId ? t('list.reminder_title') : t('list.progress_title', { n: m.selected })}</h2>
      <div class="leadmail-mailing__head">
        <span class={`leadmail-status leadmail-mailing__status leadmail-status--${m.status}`}>{t(STATUS[m.status])}</span>
        <span class="leadmail-mailing__percent">{t('list.percent', { p: p.percent })}</span>
      </div>
      <div class="leadmail-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={p.percent}>
        <div class="leadmail-bar__fill" style={{ width: `${p.percent}%` }} />
      </div>
      <ul class="leadmail-counts">
        {counts.map(([name, k, n]) => (
          <li key={name} class={`leadmail-counts__item leadmail-counts__item--${name}`} data-count={n}>
            <span class="leadmail-counts__n">{n}</span> <span class="leadmail-muted">{t(k)}</span>
          </li>
        ))}
      </ul>
      {m.resolved < m.selected && m.status !== 'cancelled' && <div class="leadmail-muted leadmail-mailing__resolved">{t('list.resolved', { done: m.resolved, total: m.selected })}</div>}
      {waitingToStart && <div class="leadmail-mailing__starts">{t('list.starts_at', { time: formatTime(lang, m.startAt) })}</div>}
      {ACTIVE.includes(m.status) && m.ratePerMinute > 0 && <div class="leadmail-mailing__rate">{t('list.rate', { n: ratePerMinute(m, now) })}</div>}
      {eta !== 'none' && m.eta && !waitingToStart && (
        <div class={`leadmail-mailing__eta leadmail-mailing__eta--${eta}`}>
          {eta === 'cap'
            ? t('list.eta_cap', { cap: box?.dailyCap ?? 0, time: formatTime(lang, m.eta), left: fromNow(lang, m.eta, now) })
            : t('list.eta', { time: formatTime(lang, m.eta), left: fromNow(lang, m.eta, now) })}
        </div>
      )}
      {m.statusReason && <div class="leadmail-alert leadmail-alert--warn leadmail-mailing__reason">{t('list.status_reason', { text: m.statusReason })}</div>}
      {errorBox}
      {m.reasons.length > 0 && (
        <div class="leadmail-reasons">
          <div class="leadmail-card__title">{t('list.reasons')}</div>
          <ul class="leadmail-reasons__list">
            {m.reasons.map((r) => (
              <li key={`${r.status}:${r.reason}`} class={`leadmail-reasons__item leadmail-reasons__item--${r.status}`}>
                <span class="leadmail-reasons__count">{r.count}</span>
                <span class={`leadmail-status leadmail-status--${r.status}`}>{t(REASON_KIND[r.status])}</span>
                <span class="leadmail-reasons__text">{r.reason}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {m.status === 'done' && <ReminderForm parent={m} onCreated={onFollow} />}
      <div class="leadmail-modal__footer">
        {ACTIVE.includes(m.status) && (
          <button type="button" class="leadmail-btn leadmail-mailing__pause" disabled={busy} onClick={() => void act('pause')}>
            {t('list.pause')}
          </button>
        )}
        {m.status === 'paused' && (
          <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-mailing__resume" disabled={busy} onClick={() => void act('resume')}>
            {t('list.resume')}
          </button>
        )}
        {(ACTIVE.includes(m.status) || m.status === 'paused') && (
          <button type="button" class="leadmail-btn leadmail-btn--danger leadmail-mailing__cancel" disabled={busy} onClick={() => void act('cancel')}>
            {t('list.cancel')}
          </button>
        )}
        {m.parentMailingId && (
          <button type="button" class="leadmail-btn leadmail-btn--link leadmail-mailing__parent" onClick={() => onFollow(m.parentMailingId!)}>
            {t('list.show_parent')}
          </button>
        )}
        <span class="leadmail-spacer" />
        {close && (
          <button type="button" class="leadmail-btn leadmail-mailing__close" onClick={close}>
            {t('common.close')}
          </button>
        )}
      </div>
    </div>
  );
}
