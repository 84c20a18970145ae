/**
 * From: the user's mailboxes, each with the light of its last check (green SMTP+IMAP, grey SMTP
 * only, red failing). When the admin forced a global mailbox, it is the only one (the server
 * sends everything through it anyway).
 */
import type { MailboxView } from '../../api/compose.js';
import { useCtx } from '../../ui/context.js';
import { Dropdown } from '../../ui/dropdown.js';

const light = (m: MailboxView): string => (m.checkStatus === 'green' || m.checkStatus === 'red' ? m.checkStatus : 'grey');

function Line({ m }: { m: MailboxView }) {
  const { t } = useCtx();
  return (
    <span class="leadmail-from__line">
      <span class={`leadmail-light leadmail-light--${light(m)}`} data-light={light(m)} title={t(`compose.light.${light(m) as 'green' | 'grey' | 'red'}`)} />
      <span class="leadmail-from__name">{m.fromName || m.displayName}</span> <span class="leadmail-muted">&lt;{m.fromAddress}&gt;</span>
      {m.paused && <span class="leadmail-from__paused"> · {t('compose.paused')}</span>}
    </span>
  );
}

export function FromField({ mailboxes, value, onChange, error }: { mailboxes: MailboxView[]; value: string | null; onChange(id: string): void; error?: string | null }) {
  const { t } = useCtx();
  const global = mailboxes.find((m) => m.isGlobal);
  const choices = global ? [global] : mailboxes;
  const current = choices.find((m) => m.id === value) ?? null;
  return (
    <div class="leadmail-field leadmail-from" data-field="from">
      <label class="leadmail-field__label">{t('compose.from')}</label>
      <div class="leadmail-field__control">
        {choices.length === 0 ? (
          <div class="leadmail-alert leadmail-alert--error leadmail-from__none">{t('compose.no_mailbox')}</div>
        ) : (
          <Dropdown class="leadmail-from__picker" disabled={!!global} label={current ? <Line m={current} /> : t('compose.pick_mailbox')}>
            {(close) =>
              choices.map((m) => (
                <button
                  type="button"
                  key={m.id}
                  class={`leadmail-from__option${m.id === value ? ' leadmail-is-active' : ''}`}
                  data-mailbox-id={m.id}
                  onClick={() => {
                    onChange(m.id);
                    close();
                  }}
                >
                  <Line m={m} />
                </button>
              ))
            }
          </Dropdown>
        )}
        {global && <div class="leadmail-muted leadmail-from__global">{t('compose.global_mailbox')}</div>}
        {current?.checkStatus === 'red' && <div class="leadmail-field-error">{t('compose.mailbox_red')}</div>}
        {error && (
          <div class="leadmail-field-error" role="alert" data-error-for="from">
            {error}
          </div>
        )}
      </div>
    </div>
  );
}
