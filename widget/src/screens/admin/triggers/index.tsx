/**
 * Advanced settings → Triggers (administrators; seed 004 "Triggers and trigger links"): the
 * account's triggers and an editor for every action, its pickers fed by the account's Kommo
 * (GET /api/crm/catalog), our templates and the account's mailboxes.
 */
import { useState } from 'preact/hooks';
import { allMailboxes, allTemplates, crmCatalog, listTriggers, type TriggerView } from '../../../api/admin-triggers.js';
import { useCtx } from '../../../ui/context.js';
import { useLoad } from '../../../ui/use-load.js';
import type { Pickers } from './ParamsEditor.js';
import { TriggerEditor } from './TriggerEditor.js';
import { TriggerList } from './TriggerList.js';

type View = { kind: 'list' } | { kind: 'edit'; trigger: TriggerView | null };

export function TriggersPage() {
  const { t, api } = useCtx();
  const rq = api.request;
  const triggers = useLoad(() => listTriggers(rq), [rq]);
  const pickers = useLoad<Pickers>(async () => {
    const [catalog, templates, mailboxes] = await Promise.all([crmCatalog(rq), allTemplates(rq), allMailboxes(rq)]);
    return { catalog, templates, mailboxes };
  }, [rq]);
  const [view, setView] = useState<View>({ kind: 'list' });
  const [saved, setSaved] = useState<string | null>(null);

  const pickersAlert = pickers.error !== null && (
    <div class="leadmail-alert leadmail-alert--error leadmail-trg__pickers-error" role="alert">
      {t('admin_triggers.pickers_failed', { text: pickers.error })}{' '}
      <button type="button" class="leadmail-btn leadmail-btn--small" onClick={() => void pickers.reload()}>
        {t('common.retry')}
      </button>
    </div>
  );

  if (view.kind === 'edit' && pickers.value) {
    return (
      <div class="leadmail-admin-page__body leadmail-triggers">
        <TriggerEditor
          key={view.trigger?.id ?? 'new'}
          trigger={view.trigger}
          pickers={pickers.value}
          onCancel={() => setView({ kind: 'list' })}
          onSaved={(v) => {
            setSaved(v.name);
            setView({ kind: 'list' });
            void triggers.reload();
          }}
        />
      </div>
    );
  }

  return (
    <div class="leadmail-admin-page__body leadmail-triggers">
      <div class="leadmail-triggers__head">
        <p class="leadmail-muted leadmail-triggers__intro">{t('admin_triggers.intro')}</p>
        <button
          type="button"
          class="leadmail-btn leadmail-btn--primary leadmail-trg__new"
          disabled={!pickers.value}
          onClick={() => {
            setSaved(null);
            setView({ kind: 'edit', trigger: null });
          }}
        >
          {t('admin_triggers.new')}
        </button>
      </div>
      {pickersAlert}
      {pickers.loading && !pickers.value && pickers.error === null && <p class="leadmail-muted leadmail-trg__pickers-loading">{t('admin_triggers.pickers_loading')}</p>}
      {saved && (
        <div class="leadmail-alert leadmail-alert--ok leadmail-trg__saved" role="status">
          {t('admin_triggers.saved', { name: saved })}
        </div>
      )}
      {triggers.error !== null ? (
        <div class="leadmail-alert leadmail-alert--error" role="alert">
          {triggers.error}{' '}
          <button type="button" class="leadmail-btn leadmail-btn--small" onClick={() => void triggers.reload()}>
            {t('common.retry')}
          </button>
        </div>
      ) : triggers.value === null ? (
        <p class="leadmail-muted">{t('common.loading')}</p>
      ) : (
        <TriggerList
          triggers={triggers.value}
          catalog={pickers.value?.catalog ?? null}
          templates={pickers.value?.templates ?? []}
          canEdit={pickers.value !== null}
          onEdit={(v) => {
            setSaved(null);
            setView({ kind: 'edit', trigger: v });
          }}
          onChanged={() => triggers.reload()}
        />
      )}
    </div>
  );
}
