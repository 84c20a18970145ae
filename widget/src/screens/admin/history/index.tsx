/** Advanced settings → history: being built (issue 9). */
import { useCtx } from '../../../ui/context.js';

export function HistoryPage() {
  const { t } = useCtx();
  return (
    <div class="leadmail-admin-page__body">
      <p class="leadmail-muted">{t('admin.coming')}</p>
    </div>
  );
}
