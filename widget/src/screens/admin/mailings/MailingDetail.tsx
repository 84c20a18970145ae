/**
 * One mailing: the list action's progress view (status, counts, rate, ETA, pause/resume/cancel,
 * skips and failures by reason, the reminder once finished), its stats and its recipients. The
 * progress view polls every second; the stats and the recipients reload when the counts moved,
 * at most every few seconds while it runs (with 10,000 recipients the stats cost the server about
 * half a second) and at once when its status changes, so all three agree when it settles.
 */
import { useCallback, useRef, useState } from 'preact/hooks';
import type { MailingView } from '../../../api/mailings.js';
import { useCtx } from '../../../ui/context.js';
import { MailingProgress } from '../../list-action/MailingProgress.js';
import { Recipients } from './Recipients.js';
import { Stats } from './Stats.js';

/** Changes whenever anything the stats or the recipients show may have changed. */
const versionOf = (m: MailingView) => `${m.status}|${Object.values(m.counts).join(',')}`;
const REFRESH_MS = 5000;

export function MailingDetail({ id, back, onFollow }: { id: string; back(): void; onFollow(id: string): void }) {
  const { t } = useCtx();
  const [view, setView] = useState<MailingView | null>(null);
  const [version, setVersion] = useState('');
  const last = useRef({ version: '', status: '', at: 0 });
  const heard = useCallback((m: MailingView) => {
    setView(m);
    const v = versionOf(m);
    const l = last.current;
    if (v === l.version || (m.status === l.status && Date.now() - l.at < REFRESH_MS)) return;
    last.current = { version: v, status: m.status, at: Date.now() };
    setVersion(v);
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
        {/* Loaded once the first view is in, so the first view does not load them twice. */}
        {version && <Stats id={id} version={version} />}
      </div>
      {version && <Recipients id={id} version={version} counts={view?.counts ?? null} />}
    </div>
  );
}
