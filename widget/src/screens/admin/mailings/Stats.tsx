/** A mailing's results (GET /api/mailings/:id/stats): totals, and per hour when there is more than one hour. */
import { mailingStats, type MailingStats } from '../../../api/admin-mailings.js';
import type { I18nKey } from '../../../host/i18n.js';
import { useCtx } from '../../../ui/context.js';
import { useLoad } from '../../../ui/use-load.js';

const TOTALS: [keyof MailingStats['totals'], I18nKey][] = [
  ['sent', 'admin_mailings.stats.sent'],
  ['failed', 'admin_mailings.stats.failed'],
  ['uniqueOpeners', 'admin_mailings.stats.unique_openers'],
  ['uniqueClickers', 'admin_mailings.stats.unique_clickers'],
  ['humanOpens', 'admin_mailings.stats.human_opens'],
  ['machineOpens', 'admin_mailings.stats.machine_opens'],
  ['humanClicks', 'admin_mailings.stats.human_clicks'],
  ['machineClicks', 'admin_mailings.stats.machine_clicks'],
];
/** The most recent hours shown; the Stats page draws the whole series. */
const HOURS = 12;

export function Stats({ id, version }: { id: string; version: string }) {
  const { t, lang, api } = useCtx();
  const rq = api.request;
  const stats = useLoad(() => mailingStats(rq, id), [rq, id, version]);
  const s = stats.value;
  const hourFmt = new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  return (
    <section class="leadmail-admin-mailings__stats">
      <div class="leadmail-card__title">{t('admin_mailings.stats.title')}</div>
      {stats.error !== null && (
        <div class="leadmail-alert leadmail-alert--error" role="alert">
          {stats.error}
        </div>
      )}
      {!s && stats.error === null && <p class="leadmail-muted">{t('common.loading')}</p>}
      {s && (
        <>
          <ul class="leadmail-admin-mailings__totals">
            {TOTALS.map(([k, label]) => (
              <li key={k} class={`leadmail-admin-mailings__total leadmail-admin-mailings__total--${k}`} data-count={s.totals[k]}>
                <span class="leadmail-admin-mailings__total-n">{s.totals[k]}</span>
                <span class="leadmail-muted">{t(label)}</span>
              </li>
            ))}
          </ul>
          {s.hourly.length > 1 && (
            <table class="leadmail-admin-mailings__table leadmail-admin-mailings__hourly">
              <thead>
                <tr>
                  <th>{t('admin_mailings.stats.hour')}</th>
                  <th>{t('admin_mailings.stats.sent')}</th>
                  <th>{t('admin_mailings.stats.failed')}</th>
                  <th>{t('admin_mailings.stats.human_opens')}</th>
                  <th>{t('admin_mailings.stats.human_clicks')}</th>
                </tr>
              </thead>
              <tbody>
                {s.hourly.slice(-HOURS).map((h) => (
                  <tr key={h.hour}>
                    <td>{hourFmt.format(new Date(h.hour))}</td>
                    <td>{h.sent}</td>
                    <td>{h.failed}</td>
                    <td>{h.humanOpens}</td>
                    <td>{h.humanClicks}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
