/**
 * One mailbox in the list: its light with the server's words and the hint (the quick set-up's
 * CheckView), address, servers, pace and daily limit, and what may be done with it: check,
 * edit, remove (asks first: its queued emails are cancelled) and, for administrators, make it the
 * mailbox for all mail. Server texts are rendered as text (Preact escapes).
 */
import { useState } from 'preact/hooks';
import { checkMailbox, removeMailbox, setGlobalMailbox, type MailboxView } from '../../../api/admin-mailboxes.js';
import { useCtx } from '../../../ui/context.js';
import { errorText } from '../../../ui/errors.js';
import { CheckView } from '../../setup/CheckView.js';

interface Props {
  mailbox: MailboxView;
  isAdmin: boolean;
  onEdit(): void;
  /** After a check, removal or global change: the list loads again. */
  onChanged(): Promise<void>;
}

export function Row({ mailbox: m, isAdmin, onEdit, onChanged }: Props) {
  const { t, api } = useCtx();
  const [busy, setBusy] = useState<'checking' | 'removing' | 'global' | null>(null);
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const act = async (kind: NonNullable<typeof busy>, run: () => Promise<unknown>) => {
    setBusy(kind);
    setError(null);
    try {
      await run();
      await onChanged();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <tr class="leadmail-mb-row" data-mailbox-id={m.id} data-status={m.checkStatus}>
      <td class="leadmail-mb-row__status">
        {m.check ? (
          <CheckView result={m.check} />
        ) : (
          <div class="leadmail-setup-check leadmail-setup-check--unknown" data-status="unknown">
            <div class="leadmail-setup-check__head">
              <span class="leadmail-light" />
              <span class="leadmail-setup-check__status">{t('setup.status.unknown')}</span>
            </div>
          </div>
        )}
      </td>
      <td class="leadmail-mb-row__box">
        <div class="leadmail-mb-row__name">
          {m.displayName}
          {m.isGlobal && <span class="leadmail-mb-badge leadmail-mb-badge--global">{t('admin_mailboxes.global_badge')}</span>}
        </div>
        <div class="leadmail-mb-row__from leadmail-muted">{m.fromName ? `${m.fromName} <${m.fromAddress}>` : m.fromAddress}</div>
        {m.paused && <div class="leadmail-mb-row__paused">{t('admin_mailboxes.paused', { reason: m.pausedReason ?? '' })}</div>}
      </td>
      <td class="leadmail-mb-row__server">
        <div>SMTP {`${m.smtp.host}:${m.smtp.port}`}</div>
        <div class="leadmail-muted">{m.imap.enabled ? `IMAP ${m.imap.host ?? ''}:${m.imap.port ?? ''}` : t('admin_mailboxes.imap_off')}</div>
      </td>
      <td class="leadmail-mb-row__pace">
        <div>{t('admin_mailboxes.pace', { messages: m.pacing.messages, seconds: m.pacing.seconds })}</div>
        <div class="leadmail-muted">{m.dailyCap === null ? t('admin_mailboxes.no_cap') : t('admin_mailboxes.cap', { cap: m.dailyCap })}</div>
      </td>
      <td class="leadmail-mb-row__actions">
        {asking ? (
          <div class="leadmail-mb-row__confirm">
            <div class="leadmail-mb-row__question">{t('admin_mailboxes.remove_question')}</div>
            <button type="button" class="leadmail-btn leadmail-btn--danger leadmail-mb-row__remove-yes" disabled={!!busy} onClick={() => void act('removing', () => removeMailbox(api.request, m.id))}>
              {t('admin_mailboxes.remove')}
            </button>
            <button type="button" class="leadmail-btn leadmail-mb-row__remove-no" disabled={!!busy} onClick={() => setAsking(false)}>
              {t('admin_mailboxes.cancel')}
            </button>
          </div>
        ) : (
          <div class="leadmail-mb-row__buttons">
            <button type="button" class="leadmail-btn leadmail-btn--link leadmail-mb-row__check" disabled={!!busy} onClick={() => void act('checking', () => checkMailbox(api.request, m.id))}>
              {busy === 'checking' ? t('setup.checking') : t('admin_mailboxes.check')}
            </button>
            <button type="button" class="leadmail-btn leadmail-btn--link leadmail-mb-row__edit" disabled={!!busy} onClick={onEdit}>
              {t('admin_mailboxes.edit')}
            </button>
            <button type="button" class="leadmail-btn leadmail-btn--link leadmail-mb-row__remove" disabled={!!busy} onClick={() => setAsking(true)}>
              {t('admin_mailboxes.remove')}
            </button>
            {isAdmin && (
              <button
                type="button"
                class="leadmail-btn leadmail-btn--link leadmail-mb-row__global"
                disabled={!!busy}
                onClick={() => void act('global', () => setGlobalMailbox(api.request, m.isGlobal ? null : m.id))}
              >
                {m.isGlobal ? t('admin_mailboxes.global.stop') : t('admin_mailboxes.make_global')}
              </button>
            )}
          </div>
        )}
        {error && (
          <div class="leadmail-mb-row__error" role="alert">
            {error}
          </div>
        )}
      </td>
    </tr>
  );
}
