/** The templates a user may see (own and public; all for an admin), a page at a time, searched on the server. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { templatesApi } from '../../../api/admin-templates.js';
import { useCtx } from '../../../ui/context.js';
import { formatTime } from '../../../ui/format.js';
import { Pager } from '../../../ui/pager.js';
import { useLoad } from '../../../ui/use-load.js';
import { RetryAlert } from '../../../ui/retry-alert.js';

const LIMIT = 20;
/** Typing pauses this long before the server is asked. */
const SEARCH_DELAY_MS = 300;

export function TemplateList({ state, onState, onOpen }: { state: { q: string; page: number }; onState(s: { q: string; page: number }): void; onOpen(id: string | null): void }) {
  const { t, api, lang, users: kommoUsers } = useCtx();
  const tapi = useMemo(() => templatesApi(api.request), [api]);
  const users = useMemo(() => new Map(kommoUsers().map((u) => [u.id, u.name])), []);
  const [typed, setTyped] = useState(state.q);
  useEffect(() => {
    if (typed === state.q) return;
    const timer = setTimeout(() => onState({ q: typed, page: 1 }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);
  const list = useLoad(() => tapi.list({ q: state.q.trim(), page: state.page, limit: LIMIT }), [tapi, state.q, state.page]);
  const value = list.value;

  return (
    <div class="leadmail-tpl-list">
      <div class="leadmail-tpl-list__bar">
        <input
          class="leadmail-input leadmail-tpl-list__search"
          type="search"
          placeholder={t('admin_templates.search')}
          aria-label={t('admin_templates.search')}
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        {list.loading && value && <span class="leadmail-muted leadmail-tpl-list__busy">{t('common.loading')}</span>}
        <span class="leadmail-editor__spacer" />
        <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-tpl-list__new" onClick={() => onOpen(null)}>
          + {t('admin_templates.new')}
        </button>
      </div>
      {list.error && (
        <RetryAlert onRetry={list.reload}>{list.error}</RetryAlert>
      )}
      {!value && !list.error && <p class="leadmail-muted">{t('common.loading')}</p>}
      {value && value.items.length === 0 && (
        <p class="leadmail-muted leadmail-tpl-list__empty">{state.q.trim() ? t('admin_templates.none_found', { q: state.q.trim() }) : t('admin_templates.empty')}</p>
      )}
      {value && value.items.length > 0 && (
        <table class="leadmail-table leadmail-tpl-list__table">
          <thead>
            <tr>
              <th>{t('admin_templates.col.name')}</th>
              <th>{t('admin_templates.col.subject')}</th>
              <th>{t('admin_templates.col.owner')}</th>
              <th>{t('admin_templates.col.public')}</th>
              <th>{t('admin_templates.col.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {value.items.map((x) => (
              <tr key={x.id} class="leadmail-tpl-list__row" data-id={x.id}>
                <td>
                  <button type="button" class="leadmail-btn leadmail-btn--link leadmail-tpl-list__open" onClick={() => onOpen(x.id)}>
                    {x.name}
                  </button>
                  {!x.canEdit && <span class="leadmail-muted leadmail-tpl-list__ro"> · {t('admin_templates.read_only')}</span>}
                </td>
                <td class="leadmail-tpl-list__subject">{x.subject}</td>
                <td class="leadmail-tpl-list__owner" data-owner={x.ownerUserId}>
                  {users.get(x.ownerUserId) ?? t('admin_templates.user_n', { id: x.ownerUserId })}
                </td>
                <td class="leadmail-tpl-list__public" data-public={String(x.isPublic)}>
                  {x.isPublic ? <span class="leadmail-tpl-badge">{t('admin_templates.public')}</span> : <span class="leadmail-muted">—</span>}
                </td>
                <td class="leadmail-muted">{formatTime(lang, x.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {value && <Pager info={value} onPage={(page) => onState({ q: state.q, page })} />}
    </div>
  );
}
