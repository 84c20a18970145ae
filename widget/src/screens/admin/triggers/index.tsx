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
import { RetryAlert } from '../../../ui/retry-alert.js';

type View = { kind: 'list' } | { kind: 'edit'; trigger: TriggerView | null };

export function TriggersPage() {
  const { t, api } = useCtx();
  const rq = api.request;
  const triggers = useLoad(() => listTriggers(rq), [rq]);
  // Kommo's lists and our own load apart: without Kommo the list still names each trigger's template.
  const catalog = useLoad(() => crmCatalog(rq), [rq]);
  const ours = useLoad(async () => {
    const [templates, mailboxes] = await Promise.all([allTemplates(rq), allMailboxes(rq)]);
    return { templates, mailboxes };
  }, [rq]);
  const pickers: Pickers | null = catalog.value && ours.value ? { catalog: catalog.value, ...ours.value } : null;
  const [view, setView] = useState<View>({ kind: 'list' });
  const [saved, setSaved] = useState<string | null>(null);

  const failed = [catalog, ours].find((x) => x.error !== null);
  const pickersAlert = failed && (
    <RetryAlert class="leadmail-trg__pickers-error" onRetry={failed.reload} button="small">{t('admin_triggers.pickers_failed', { text: failed.error! })}</RetryAlert>
  );

  if (view.kind === 'edit' && pickers) {
    return (
      <div class="leadmail-admin-page__body leadmail-triggers">
        <TriggerEditor
          key={view.trigger?.id ?? 'new'}
          trigger={view.trigger}
          pickers={pickers}
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
          disabled={!pickers}
          onClick={() => {
            setSaved(null);
            setView({ kind: 'edit', trigger: null });
          }}
        >
          {t('admin_triggers.new')}
        </button>
      </div>
      {pickersAlert}
      {!pickers && !failed && <p class="leadmail-muted leadmail-trg__pickers-loading">{t('admin_triggers.pickers_loading')}</p>}
      {saved && (
        <div class="leadmail-alert leadmail-alert--ok leadmail-trg__saved" role="status">
          {t('admin_triggers.saved', { name: saved })}
        </div>
      )}
      {triggers.error !== null ? (
        <RetryAlert onRetry={triggers.reload} button="small">{triggers.error}</RetryAlert>
      ) : triggers.value === null ? (
        <p class="leadmail-muted">{t('common.loading')}</p>
      ) : (
        <TriggerList
          triggers={triggers.value}
          catalog={catalog.value}
          templates={ours.value?.templates ?? []}
          canEdit={pickers !== null}
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
