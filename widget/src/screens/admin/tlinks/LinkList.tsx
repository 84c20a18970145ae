/** The account's trigger links: what each does after a click, its triggers, and its variable to copy. */
import type { TriggerLinkView, TriggerView } from '../../../api/admin-tlinks.js';
import { useCtx } from '../../../ui/context.js';
import { CopyVariable } from './CopyVariable.js';

export interface LinkListProps {
  links: TriggerLinkView[];
  triggers: TriggerView[];
  selected: number | null;
  canEdit: boolean;
  /** The editor is open beside the list: the columns it shows itself are left out. */
  narrow: boolean;
  onEdit(link: TriggerLinkView): void;
}

export function LinkList({ links, triggers, selected, canEdit, narrow, onEdit }: LinkListProps) {
  const { t } = useCtx();
  const names = new Map(triggers.map((x) => [x.id, x.name]));
  return (
    <table class={`leadmail-tlinks-table${narrow ? ' leadmail-tlinks-table--narrow' : ''}`}>
      <thead>
        <tr>
          <th>{t('admin_tlinks.col.name')}</th>
          <th>{t('admin_tlinks.col.once')}</th>
          <th class="leadmail-tlinks-table__wide">{t('admin_tlinks.col.target')}</th>
          <th class="leadmail-tlinks-table__wide">{t('admin_tlinks.col.triggers')}</th>
          <th>{t('admin_tlinks.col.variable')}</th>
        </tr>
      </thead>
      <tbody>
        {links.map((l) => (
          <tr key={l.id} class={`leadmail-tlinks-row${selected === l.id ? ' leadmail-tlinks-row--on' : ''}`} data-link-id={l.id}>
            <td class="leadmail-tlinks-row__name">
              {canEdit ? (
                <button type="button" class="leadmail-btn leadmail-btn--link leadmail-tlinks-row__edit" onClick={() => onEdit(l)}>
                  {l.name}
                </button>
              ) : (
                l.name
              )}
            </td>
            <td class="leadmail-tlinks-row__once">{t(l.executeOnce ? 'admin_tlinks.once_yes' : 'admin_tlinks.once_no')}</td>
            <td class="leadmail-tlinks-row__target leadmail-tlinks-table__wide">
              {l.redirectUrl ? (
                <span class="leadmail-tlinks-row__url" title={l.redirectUrl}>
                  {l.redirectUrl}
                </span>
              ) : (
                <span class="leadmail-muted">{t('admin_tlinks.thanks_page')}</span>
              )}
            </td>
            <td class="leadmail-tlinks-row__triggers leadmail-tlinks-table__wide">
              {l.triggerIds.length === 0 ? <span class="leadmail-muted">{t('admin_tlinks.none')}</span> : l.triggerIds.map((id) => names.get(id) ?? t('admin_tlinks.trigger_missing')).join(', ')}
            </td>
            <td class="leadmail-tlinks-row__variable">
              <CopyVariable variable={l.variable} compact />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
