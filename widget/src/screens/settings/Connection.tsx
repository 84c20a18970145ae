/** Connection state for the widget settings modal: is the backend reachable, is Kommo installed. */
import { useEffect, useState } from 'preact/hooks';
import type { AccountView } from '../../api/client.js';
import { useCtx } from '../../ui/context.js';
import { ApiError } from '../../host/transport.js';
import { errorText } from '../../ui/errors.js';

/** `fail`: nothing answered; `refused`: the server answered with an error (its words are shown). */
type State = { kind: 'checking' } | { kind: 'ok'; account: AccountView } | { kind: 'fail' | 'refused'; text: string };

export function Connection() {
  const { t, api } = useCtx();
  const [state, setState] = useState<State>({ kind: 'checking' });
  useEffect(() => {
    let alive = true;
    api.account().then(
      (account) => alive && setState({ kind: 'ok', account }),
      (err: unknown) => alive && setState({ kind: err instanceof ApiError && err.status > 0 ? 'refused' : 'fail', text: errorText(t, err) }),
    );
    return () => {
      alive = false;
    };
  }, [api, t]);

  const kommo = state.kind === 'ok' ? state.account.kommo : null;
  const backendLight = state.kind === 'checking' ? 'grey' : state.kind === 'ok' ? 'green' : 'red';
  const kommoLight = !kommo ? 'grey' : kommo.connected && !kommo.disconnectedAt ? 'green' : 'red';
  return (
    <div class="leadmail-conn">
      <div class="leadmail-h2">{t('conn.title')}</div>
      <div class="leadmail-conn__row leadmail-conn__backend" data-state={backendLight}>
        <span class={`leadmail-light leadmail-light--${backendLight}`} />
        <span class="leadmail-conn__label">{t('conn.backend')}</span>
        <span class="leadmail-conn__value">
          {state.kind === 'checking'
            ? t('conn.checking')
            : state.kind === 'ok'
              ? t('conn.ok')
              : state.kind === 'refused'
                ? t('conn.backend_refused', { text: state.text })
                : t('conn.backend_fail', { text: state.text })}
        </span>
      </div>
      <div class="leadmail-conn__row leadmail-conn__kommo" data-state={kommoLight}>
        <span class={`leadmail-light leadmail-light--${kommoLight}`} />
        <span class="leadmail-conn__label">{t('conn.kommo')}</span>
        <span class="leadmail-conn__value">
          {!kommo
            ? state.kind === 'checking'
              ? t('conn.checking')
              : '—'
            : kommo.disconnectedAt
              ? t('conn.kommo_disconnected', { reason: kommo.disconnectedReason ?? '' })
              : kommo.connected
                ? t('conn.ok')
                : t('conn.kommo_missing')}
        </span>
      </div>
      {state.kind === 'ok' && <div class="leadmail-muted">{t('conn.account', { subdomain: state.account.subdomain, id: state.account.id })}</div>}
    </div>
  );
}
