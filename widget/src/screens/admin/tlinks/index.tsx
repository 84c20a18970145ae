/**
 * Advanced settings → Trigger links (seed 004, "Triggers and trigger links"): the account's links
 * and an editor beside the list. Administrators only (the tab is hidden from users and the
 * server refuses their changes); a link's variable is copied here and pasted into a template.
 * The links are an account's handful of settings, not mail: the list is not paged.
 */
import { useMemo, useState } from 'preact/hooks';
import { tlinksApi, type TriggerLinkView } from '../../../api/admin-tlinks.js';
import { useCtx } from '../../../ui/context.js';
import { useLoad } from '../../../ui/use-load.js';
import { useMe } from '../me.js';
import { LinkEditor } from './LinkEditor.js';
import { LinkList } from './LinkList.js';
import { RetryAlert } from '../../../ui/retry-alert.js';

export function TriggerLinksPage() {
  const { t, api } = useCtx();
  const me = useMe();
  const tl = useMemo(() => tlinksApi(api.request), [api]);
  const links = useLoad(() => tl.list(), [tl]);
  const triggers = useLoad(() => tl.triggers(), [tl]);
  // null: no editor; 'new': a new link; a number: that link.
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  // Bumped to start a fresh editor (its state is the form) when the same target is opened again.
  const [generation, setGeneration] = useState(0);
  const open = (target: number | 'new') => {
    setEditing(target);
    setGeneration((g) => g + 1);
  };
  const current = typeof editing === 'number' ? (links.value?.find((l) => l.id === editing) ?? null) : null;

  const saved = async (link: TriggerLinkView) => {
    await links.reload();
    // A new link stays open: its variable is what the admin came for.
    setEditing(link.id);
    setGeneration((g) => g + 1);
  };

  const body = () => {
    if (links.error !== null && !links.value) {
      return (
        <RetryAlert class="leadmail-tlinks__error" onRetry={links.reload} button="small">{links.error}</RetryAlert>
      );
    }
    if (!links.value) return <p class="leadmail-muted leadmail-tlinks__loading">{t('common.loading')}</p>;
    if (links.value.length === 0) return <p class="leadmail-muted leadmail-tlinks__empty">{t('admin_tlinks.empty')}</p>;
    return <LinkList links={links.value} triggers={triggers.value ?? []} selected={typeof editing === 'number' ? editing : null} canEdit={me.isAdmin} narrow={editing !== null} onEdit={(l) => open(l.id)} />;
  };

  return (
    <div class="leadmail-admin-page__body leadmail-tlinks">
      <div class="leadmail-tlinks__head">
        <div>
          <h2 class="leadmail-h2">{t('admin_tlinks.title')}</h2>
          <p class="leadmail-muted leadmail-tlinks__intro">{t('admin_tlinks.intro')}</p>
        </div>
        {me.isAdmin && (
          <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-tlinks__new" onClick={() => open('new')}>
            {t('admin_tlinks.new')}
          </button>
        )}
      </div>
      {triggers.error !== null && (
        <div class="leadmail-alert leadmail-alert--error leadmail-tlinks__triggers-error" role="alert">
          {t('admin_tlinks.triggers_failed', { text: triggers.error })}
        </div>
      )}
      <div class={`leadmail-tlinks__layout${editing !== null ? ' leadmail-tlinks__layout--editing' : ''}`}>
        <div class="leadmail-tlinks__list">{body()}</div>
        {me.isAdmin && editing !== null && (editing === 'new' || current) && (
          <LinkEditor
            key={`${editing}-${generation}`}
            api={tl}
            link={current}
            triggers={triggers.value ?? []}
            onSaved={(l) => void saved(l)}
            onDeleted={() => {
              setEditing(null);
              void links.reload();
            }}
            onClose={() => setEditing(null)}
          />
        )}
      </div>
    </div>
  );
}
