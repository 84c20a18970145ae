/**
 * One mailing: the list action's progress view (status, counts, rate, ETA, pause/resume/cancel,
 * skips and failures by reason, the reminder once finished), its stats and its recipients. The
 * progress view polls; each fresh view it hears reloads the stats and the recipients when the
 * counts moved, so all three agree while the mailing runs.
 */
import { useCallback, useState } from 'preact/hooks';
import type { MailingView } from '../../../api/mailings.js';
import { useCtx } from '../../../ui/context.js';
import { MailingProgress } from '../../list-action/MailingProgress.js';
import { Recipients } from './Recipients.js';
import { Stats } from './Stats.js';

/** Changes whenever anything the stats or the recipients show may have changed. */
const versionOf = (m: MailingView) => `${m.status}|${Object.values(m.counts).join(',')}`;

export function MailingDetail({ id, back, onFollow }: { id: string; back(): void; onFollow(id: string): void }) {
  const { t } = useCtx();
  const [view, setView] = useState<MailingView | null>(null);
  const [version, setVersion] = useState('');
  const heard = useCallback((m: MailingView) => {
    setView(m);
    setVersion(versionOf(m));
  }, []);

  return (
    <div class="leadmail-admin-page__body leadmail-admin-mailings leadmail-admin-mailings--detail" data-mailing-id={id}>
      <button type="button" class="leadmail-btn leadmail-btn--link leadmail-admin-mailings__back" onClick={back}>
        ‹ {t('admin_mailings.back')}
      </button>
      <div class="leadmail-admin-mailings__top">
        <div class="leadmail-admin-mailings__progress">
          <MailingProgress id={id} onFollow={onFollow} onView={heard} />
        </div>
        <Stats id={id} version={version} />
      </div>
      <Recipients id={id} version={version} counts={view?.counts ?? null} />
    </div>
  );
}
