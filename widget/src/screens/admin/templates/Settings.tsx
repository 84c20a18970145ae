/**
 * Who owns the template and who else may use it, the signature, and the repeat limit. Only an
 * administrator gives a template to another user or sets the repeat limit (issue 3): a user sees
 * them as text (the server refuses the change anyway).
 */
import { useCtx } from '../../../ui/context.js';
import type { FormError } from '../../../ui/labelled-field.js';
import { Field } from '../../../ui/labelled-field.js';
import type { Draft } from './draft.js';

export function SettingsFields({ draft, set, isAdmin, canEdit, error }: { draft: Draft; set(p: Partial<Draft>): void; isAdmin: boolean; canEdit: boolean; error: FormError | null }) {
  const { t, users: kommoUsers } = useCtx();
  const users = kommoUsers();
  const ownerName = users.find((u) => u.id === draft.ownerUserId)?.name ?? t('admin_templates.user_n', { id: draft.ownerUserId });
  return (
    <div class="leadmail-tpl-settings">
      <Field name="ownerUserId" label={t('admin_templates.owner')} error={error}>
        {isAdmin ? (
          <select class="leadmail-select leadmail-tpl__owner" value={String(draft.ownerUserId)} onChange={(e) => set({ ownerUserId: Number(e.currentTarget.value) })}>
            {!users.some((u) => u.id === draft.ownerUserId) && <option value={String(draft.ownerUserId)}>{ownerName}</option>}
            {users.map((u) => (
              <option key={u.id} value={String(u.id)}>
                {u.name}
              </option>
            ))}
          </select>
        ) : (
          <span class="leadmail-tpl__owner-text">{ownerName}</span>
        )}
      </Field>
      <Field name="isPublic" label={t('admin_templates.visibility')} error={error}>
        <label class="leadmail-tpl__check">
          <input type="checkbox" class="leadmail-tpl__public" checked={draft.isPublic} disabled={!canEdit} onChange={(e) => set({ isPublic: e.currentTarget.checked })} />{' '}
          {t('admin_templates.public_hint')}
        </label>
      </Field>
      <Field name="disableSignature" label={t('admin_templates.signature')} error={error}>
        <label class="leadmail-tpl__check">
          <input type="checkbox" class="leadmail-tpl__nosig" checked={draft.disableSignature} disabled={!canEdit} onChange={(e) => set({ disableSignature: e.currentTarget.checked })} />{' '}
          {t('admin_templates.no_signature')}
        </label>
      </Field>
      <Field name="repeatLimit" label={t('admin_templates.repeat_limit')} error={error} hint={t('admin_templates.repeat_hint')}>
        {isAdmin ? (
          <input
            class="leadmail-input leadmail-tpl__repeat"
            type="number"
            min={1}
            max={1000}
            placeholder={t('admin_templates.repeat_none')}
            value={draft.repeatLimit ?? ''}
            onInput={(e) => {
              const v = e.currentTarget.value.trim();
              set({ repeatLimit: v === '' ? null : Number(v) });
            }}
          />
        ) : (
          <span class="leadmail-tpl__repeat-text">{draft.repeatLimit ?? t('admin_templates.repeat_none')}</span>
        )}
      </Field>
    </div>
  );
}
