/**
 * Advanced settings → mailboxes (issue 9). A user sees and manages their own mailboxes; an
 * administrator every user's (GET /api/mailboxes?all=true), grouped by owner, named from Kommo's
 * users, may add one for any user and choose the account's global mailbox. Everyone is told, at
 * the top, when an administrator chose one mailbox for all mail.
 */
import { useState } from 'preact/hooks';
import { listMailboxes, presetsWithLimits, type MailboxView } from '../../../api/admin-mailboxes.js';
import { useCtx } from '../../../ui/context.js';
import { useLoad } from '../../../ui/use-load.js';
import { useMe } from '../me.js';
import { Editor, type Owner } from './Editor.js';
import { GlobalBanner } from './GlobalBanner.js';
import { Row } from './Row.js';
import { RetryAlert } from '../../../ui/retry-alert.js';

type Editing = { mailbox: MailboxView | null } | null;

export function MailboxesPage() {
  const { t, api, users, notify } = useCtx();
  const me = useMe();
  const list = useLoad(() => Promise.all([listMailboxes(api.request, me.isAdmin), presetsWithLimits(api.request)]), [api, me.isAdmin]);
  const [editing, setEditing] = useState<Editing>(null);

  const [mailboxes, presets] = list.value ?? [null, null];
  const names = new Map(users().map((u) => [u.id, u.name]));
  const nameOf = (id: number) => names.get(id) ?? t('admin_mailboxes.user_id', { id });
  // A user's list carries the global mailbox too when someone else owns it: it is shown in the banner only.
  const shown = (mailboxes ?? []).filter((m) => me.isAdmin || m.ownerUserId === me.userId);
  const global = (mailboxes ?? []).find((m) => m.isGlobal) ?? null;
  const owners: Owner[] | null = me.isAdmin ? ownerChoices(names, shown, me.userId, nameOf) : null;

  return (
    <div class="leadmail-admin-page__body leadmail-mb">
      <div class="leadmail-mb__head">
        <p class="leadmail-mb__intro leadmail-muted">{t(me.isAdmin ? 'admin_mailboxes.intro_admin' : 'admin_mailboxes.intro_user')}</p>
        {presets && !editing && (
          <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-mb__add" onClick={() => setEditing({ mailbox: null })}>
            {t('admin_mailboxes.add')}
          </button>
        )}
      </div>
      {global && <GlobalBanner mailbox={global} owner={nameOf(global.ownerUserId)} isAdmin={me.isAdmin} onChanged={list.reload} />}
      {list.error !== null && (
        <RetryAlert class="leadmail-mb__error" onRetry={list.reload}>{list.error}</RetryAlert>
      )}
      {list.value === null && list.error === null && <p class="leadmail-muted leadmail-mb__loading">{t('common.loading')}</p>}
      {editing && presets && (
        <Editor
          key={editing.mailbox?.id ?? 'new'}
          editing={editing.mailbox}
          presets={presets}
          owners={owners}
          me={me.userId}
          onSaved={() => void list.reload()}
          onDone={(view) => {
            setEditing(null);
            notify(t('admin_mailboxes.editor.saved', { name: view.displayName }));
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      {mailboxes && shown.length === 0 && <p class="leadmail-mb__empty leadmail-muted">{t(me.isAdmin ? 'admin_mailboxes.empty_admin' : 'admin_mailboxes.empty_user')}</p>}
      {shown.length > 0 && (
        <table class="leadmail-mb-table">
          <thead>
            <tr>
              <th>{t('admin_mailboxes.col.status')}</th>
              <th>{t('admin_mailboxes.col.mailbox')}</th>
              <th>{t('admin_mailboxes.col.servers')}</th>
              <th>{t('admin_mailboxes.col.pace')}</th>
              <th />
            </tr>
          </thead>
          {groups(shown, me.isAdmin, me.userId, nameOf).map((g) => (
            <tbody key={g.owner} class="leadmail-mb-group" data-owner={g.owner}>
              {me.isAdmin && (
                <tr class="leadmail-mb-group__head">
                  <th colSpan={5}>{g.name}</th>
                </tr>
              )}
              {g.mailboxes.map((m) => (
                <Row key={m.id} mailbox={m} isAdmin={me.isAdmin} onEdit={() => setEditing({ mailbox: m })} onChanged={list.reload} />
              ))}
            </tbody>
          ))}
        </table>
      )}
    </div>
  );
}

/** Per user, the caller first, then by name (the server lists by creation time). */
function groups(list: MailboxView[], byOwner: boolean, me: number, nameOf: (id: number) => string): { owner: number; name: string; mailboxes: MailboxView[] }[] {
  if (!byOwner) return [{ owner: me, name: nameOf(me), mailboxes: list }];
  const by = new Map<number, MailboxView[]>();
  for (const m of list) by.set(m.ownerUserId, [...(by.get(m.ownerUserId) ?? []), m]);
  return [...by.entries()]
    .map(([owner, mailboxes]) => ({ owner, name: nameOf(owner), mailboxes }))
    .sort((a, b) => (a.owner === me ? -1 : b.owner === me ? 1 : a.name.localeCompare(b.name)));
}

/** Kommo's users, plus any owner Kommo did not name (a user since removed) and the caller. */
function ownerChoices(names: Map<number, string>, list: MailboxView[], me: number, nameOf: (id: number) => string): Owner[] {
  const ids = new Set<number>([me, ...names.keys(), ...list.map((m) => m.ownerUserId)]);
  return [...ids].map((id) => ({ id, name: nameOf(id) })).sort((a, b) => (a.id === me ? -1 : b.id === me ? 1 : a.name.localeCompare(b.name)));
}
