/** Mount point of the advanced settings page (part 2 of the widget): placeholder. */
import { useCtx } from '../../ui/context.js';
import { Connection } from '../settings/Connection.js';

export function Admin() {
  const { t } = useCtx();
  return (
    <div class="leadmail-admin">
      <h1 class="leadmail-h1">{t('advanced.title')}</h1>
      <Connection />
      <p class="leadmail-muted">{t('admin.coming')}</p>
    </div>
  );
}
