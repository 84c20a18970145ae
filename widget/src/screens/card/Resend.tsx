/**
 * "Resend" on a failed or unknown mail: asks first, in place (for an unknown one the question says
 * the recipients may get it twice), then sends it again as a new email and refreshes the list.
 * A mail already resent says so instead (the server refuses a second resend: resend the new one).
 */
import { useState } from 'preact/hooks';
import type { EmailView } from '../../api/client.js';
import { resendEmail } from '../../api/setup.js';
import { useCtx } from '../../ui/context.js';
import { errorText } from '../../ui/errors.js';

export function Resend({ email, onDone }: { email: EmailView; onDone: () => void }) {
  const { t, api, notify } = useCtx();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const resend = async () => {
    setBusy(true);
    setError(null);
    try {
      await resendEmail(api.request, email.id);
      setAsking(false);
      notify(t('resend.done'));
      onDone();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  if (email.events?.some((ev) => ev.type === 'resent')) {
    return <span class="leadmail-muted leadmail-email__resent">{t('resend.already')}</span>;
  }
  if (!asking) {
    return (
      <button type="button" class="leadmail-btn leadmail-btn--link leadmail-email__resend" onClick={() => setAsking(true)}>
        {t('resend.button')}
      </button>
    );
  }
  return (
    <div class="leadmail-resend" role="alertdialog">
      <div class="leadmail-resend__question">{t(email.status === 'unknown' ? 'resend.confirm_unknown' : 'resend.confirm_failed')}</div>
      {error && (
        <div class="leadmail-email__error leadmail-resend__error" role="alert">
          {error}
        </div>
      )}
      <div class="leadmail-resend__actions">
        <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-resend__yes" disabled={busy} onClick={() => void resend()}>
          {t('resend.yes')}
        </button>
        <button type="button" class="leadmail-btn leadmail-resend__no" disabled={busy} onClick={() => setAsking(false)}>
          {t('resend.no')}
        </button>
      </div>
    </div>
  );
}
