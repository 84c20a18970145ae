/**
 * The advanced settings page (Kommo mounts it in `#work-area-<code>`): one tab per admin page.
 * Who is asking comes from the backend first; tabs only an administrator may use are not shown
 * to users, and each page hides its admin-only controls through `useMe()`.
 */
import { useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import { key, type I18nKey } from '../../host/i18n.js';
import { useCtx } from '../../ui/context.js';
import { useLoad } from '../../ui/use-load.js';
import { Connection } from '../settings/Connection.js';
import { MeCtx } from './me.js';
import { MailboxesPage } from './mailboxes/index.js';
import { TemplatesPage } from './templates/index.js';
import { TriggersPage } from './triggers/index.js';
import { TriggerLinksPage } from './tlinks/index.js';
import { MailingsPage } from './mailings/index.js';
import { HistoryPage } from './history/index.js';
import { StatsPage } from './stats/index.js';
import { PrefsPage } from './prefs/index.js';

export type TabId = 'mailboxes' | 'templates' | 'triggers' | 'tlinks' | 'mailings' | 'history' | 'stats' | 'prefs';

interface Tab {
  id: TabId;
  label: I18nKey;
  adminOnly: boolean;
  Page: ComponentType;
}

const TABS: Tab[] = [
  { id: 'mailboxes', label: key('admin.tab.mailboxes'), adminOnly: false, Page: MailboxesPage },
  { id: 'templates', label: key('admin.tab.templates'), adminOnly: false, Page: TemplatesPage },
  { id: 'triggers', label: key('admin.tab.triggers'), adminOnly: true, Page: TriggersPage },
  { id: 'tlinks', label: key('admin.tab.tlinks'), adminOnly: true, Page: TriggerLinksPage },
  { id: 'mailings', label: key('admin.tab.mailings'), adminOnly: false, Page: MailingsPage },
  { id: 'history', label: key('admin.tab.history'), adminOnly: false, Page: HistoryPage },
  { id: 'stats', label: key('admin.tab.stats'), adminOnly: false, Page: StatsPage },
  { id: 'prefs', label: key('admin.tab.prefs'), adminOnly: false, Page: PrefsPage },
];

export function Admin() {
  const { t, api } = useCtx();
  const account = useLoad(() => api.account(), [api]);
  const [tab, setTab] = useState<TabId>('mailboxes');
  const me = account.value?.me ?? null;
  const tabs = TABS.filter((x) => !x.adminOnly || me?.isAdmin);
  const current = tabs.find((x) => x.id === tab) ?? tabs[0]!;
  return (
    <div class="leadmail-admin">
      <h1 class="leadmail-h1">{t('advanced.title')}</h1>
      <Connection />
      {account.error !== null && !me ? (
        <div class="leadmail-alert leadmail-alert--error leadmail-admin__error">
          {t('admin.load_failed', { text: account.error })}{' '}
          <button type="button" class="leadmail-btn" onClick={() => void account.reload()}>
            {t('common.retry')}
          </button>
        </div>
      ) : !me ? (
        <p class="leadmail-muted">{t('common.loading')}</p>
      ) : (
        <MeCtx.Provider value={me}>
          <nav class="leadmail-admin-tabs" role="tablist">
            {tabs.map((x) => (
              <button
                key={x.id}
                type="button"
                role="tab"
                class={`leadmail-admin-tabs__tab${x.id === current.id ? ' leadmail-admin-tabs__tab--on' : ''}`}
                aria-selected={x.id === current.id}
                data-tab={x.id}
                onClick={() => setTab(x.id)}
              >
                {t(x.label)}
              </button>
            ))}
            <span class="leadmail-admin-tabs__who" data-admin={String(me.isAdmin)}>
              {t(me.isAdmin ? 'admin.admin_badge' : 'admin.user_badge')}
            </span>
          </nav>
          <section class="leadmail-admin-page" role="tabpanel" data-page={current.id}>
            <current.Page />
          </section>
        </MeCtx.Provider>
      )}
    </div>
  );
}
