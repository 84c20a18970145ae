/** Mount point of the list action (leads/contacts lists): placeholder until the mailing screen lands. */
import { useCtx } from '../../ui/context.js';
import type { EntityType } from '../../../../shared/schemas/common.js';

export interface ListActionProps {
  entityType: EntityType;
  ids: number[];
  close: () => void;
}

export function ListAction({ entityType, ids, close }: ListActionProps) {
  const { t } = useCtx();
  return (
    <div class="leadmail-list-action" data-entity-type={entityType}>
      <h2 class="leadmail-h2">{t('list.title', { n: ids.length })}</h2>
      <p class="leadmail-muted">{t('list.coming')}</p>
      <div class="leadmail-modal__footer">
        <button type="button" class="leadmail-btn" onClick={close}>
          {t('common.close')}
        </button>
      </div>
    </div>
  );
}
