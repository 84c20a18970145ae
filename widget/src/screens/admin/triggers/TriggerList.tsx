/**
 * The account's triggers: name, action, what it does, delay, on/off (switchable in place), edit,
 * delete. Deleting asks first; a trigger that a template or trigger link uses is refused by the
 * server (409) and its words are shown on the row.
 */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { deleteTrigger, updateTrigger, type CrmCatalog, type TemplateView, type TriggerView } from '../../../api/admin-triggers.js';
import { useCtx } from '../../../ui/context.js';
import { errorText } from '../../../ui/errors.js';
import { Pager } from '../../../ui/pager.js';
import { bodyOfView } from './draft.js';
import { ACTION_LABEL, delayText, summaryOf } from './labels.js';

const PAGE = 20;

interface Props {
  triggers: TriggerView[];
  catalog: CrmCatalog | null;
  templates: TemplateView[];
  /** False until Kommo's lists are in: the editor needs them. */
  canEdit: boolean;
  onEdit(v: TriggerView): void;
  onChanged(): Promise<void>;
}

export function TriggerList({ triggers, catalog, templates, canEdit, onEdit, onChanged }: Props) {
  const { t, api } = useCtx();
  const [page, setPage] = useState(1);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [rowError, setRowError] = useState<{ id: string; text: string } | null>(null);
  const last = Math.max(1, Math.ceil(triggers.length / PAGE));
  const shown = triggers.slice((Math.min(page, last) - 1) * PAGE, Math.min(page, last) * PAGE);

  const act = async (id: string, run: () => Promise<unknown>) => {
    setBusy(id);
    setRowError(null);
    try {
      await run();
      await onChanged();
    } catch (err) {
      setRowError({ id, text: errorText(t, err) });
    } finally {
      setBusy(null);
      setConfirm(null);
    }
  };

  if (triggers.length === 0) return <p class="leadmail-muted leadmail-trg-list__empty">{t('admin_triggers.empty')}</p>;
  return (
    <>
      <table class="leadmail-trg-list">
        <thead>
          <tr>
            <th>{t('admin_triggers.col.name')}</th>
            <th>{t('admin_triggers.col.action')}</th>
            <th>{t('admin_triggers.col.does')}</th>
            <th>{t('admin_triggers.col.delay')}</th>
            <th>{t('admin_triggers.col.active')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {shown.map((v) => (
            <Fragment key={v.id}>
              <tr class={`leadmail-trg-list__row${v.active ? '' : ' leadmail-trg-list__row--off'}`} data-trigger-id={v.id}>
                <td class="leadmail-trg-list__name">{v.name}</td>
                <td class="leadmail-trg-list__action">{t(ACTION_LABEL[v.action])}</td>
                <td class="leadmail-trg-list__does">{summaryOf(t, v, catalog, templates)}</td>
                <td class="leadmail-trg-list__delay">{delayText(t, v.delaySeconds)}</td>
                <td>
                  <label class="leadmail-trg-list__switch">
                    <input
                      type="checkbox"
                      class="leadmail-trg-list__active"
                      checked={v.active}
                      disabled={busy === v.id}
                      aria-label={t('admin_triggers.col.active')}
                      onChange={(e) => void act(v.id, () => updateTrigger(api.request, v.id, bodyOfView(v, { active: e.currentTarget.checked })))}
                    />
                  </label>
                </td>
                <td class="leadmail-trg-list__buttons">
                  {confirm === v.id ? (
                    <span class="leadmail-trg-list__confirm">
                      {t('admin_triggers.delete_confirm')}{' '}
                      <button type="button" class="leadmail-btn leadmail-btn--small leadmail-trg-list__delete-yes" disabled={busy === v.id} onClick={() => void act(v.id, () => deleteTrigger(api.request, v.id))}>
                        {t('admin_triggers.delete_yes')}
                      </button>{' '}
                      <button type="button" class="leadmail-btn leadmail-btn--small leadmail-trg-list__delete-no" onClick={() => setConfirm(null)}>
                        {t('admin_triggers.delete_no')}
                      </button>
                    </span>
                  ) : (
                    <>
                      <button type="button" class="leadmail-btn leadmail-btn--small leadmail-trg-list__edit" disabled={!canEdit} onClick={() => onEdit(v)}>
                        {t('admin_triggers.edit')}
                      </button>{' '}
                      <button type="button" class="leadmail-btn leadmail-btn--small leadmail-trg-list__delete" onClick={() => setConfirm(v.id)}>
                        {t('admin_triggers.delete')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
              {rowError?.id === v.id && (
                <tr class="leadmail-trg-list__error-row">
                  <td colSpan={6}>
                    <div class="leadmail-alert leadmail-alert--error leadmail-trg-list__error" role="alert">
                      {rowError.text}
                    </div>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
      <Pager info={{ page: Math.min(page, last), limit: PAGE, total: triggers.length }} onPage={setPage} />
    </>
  );
}
