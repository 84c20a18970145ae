/**
 * The account's global mailbox, shown to everyone: while an administrator has chosen one, every
 * email leaves from it whoever sends it, so a user must not wonder why theirs is unused.
 * Administrators can stop it here (PUT /api/account/global-mailbox with null).
 */
import { useState } from 'preact/hooks';
import { setGlobalMailbox, type MailboxView } from '../../../api/admin-mailboxes.js';
import { useCtx } from '../../../ui/context.js';
import { errorText } from '../../../ui/errors.js';

interface Props {
  mailbox: MailboxView;
  owner: string;
  isAdmin: boolean;
  onChanged(): Promise<void>;
}

export function GlobalBanner({ mailbox: m, owner, isAdmin, onChanged }: Props) {
  const { t, api } = useCtx();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stop = async () => {
    setBusy(true);
    setError(null);
    try {
      await setGlobalMailbox(api.request, null);
      await onChanged();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="leadmail-mb-global" data-mailbox-id={m.id} role="status">
      <div class="leadmail-mb-global__text">
        <div class="leadmail-mb-global__title">{t('admin_mailboxes.global.banner')}</div>
        <div class="leadmail-mb-global__which">
          <b>{m.displayName}</b> {`<${m.fromAddress}>`} <span class="leadmail-muted">{t('admin_mailboxes.global.owner', { name: owner })}</span>
        </div>
        <div class="leadmail-mb-global__explain leadmail-muted">{t('admin_mailboxes.global.explain')}</div>
        {error && (
          <div class="leadmail-mb-global__error" role="alert">
            {error}
          </div>
        )}
      </div>
      {isAdmin && (
        <button type="button" class="leadmail-btn leadmail-mb-global__stop" disabled={busy} onClick={() => void stop()}>
          {t('admin_mailboxes.global.stop')}
        </button>
      )}
    </div>
  );
}
