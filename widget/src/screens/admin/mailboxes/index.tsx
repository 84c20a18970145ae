/** Advanced settings → mailboxes: being built (issue 9). */
import { useCtx } from '../../../ui/context.js';

export function MailboxesPage() {
  const { t } = useCtx();
  return (
    <div class="leadmail-admin-page__body">
      <p class="leadmail-muted">{t('admin.coming')}</p>
    </div>
  );
}
