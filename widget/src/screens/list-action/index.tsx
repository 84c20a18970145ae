/**
 * The list action (leads and contacts lists, in a Kommo modal): the form for the selected
 * entities, then the progress of the mailing it started (and of a reminder made from it).
 */
import { useState } from 'preact/hooks';
import { useCtx } from '../../ui/context.js';
import type { EntityType } from '../../../../shared/schemas/common.js';
import { MailingForm } from './MailingForm.js';
import { MailingProgress } from './MailingProgress.js';

export interface ListActionProps {
  entityType: EntityType;
  ids: number[];
  /** Kommo's `count_selected` (may exceed `ids`: Kommo pages a large selection). */
  selectedCount?: number;
  close: () => void;
}

export function ListAction({ entityType, ids, selectedCount, close }: ListActionProps) {
  const { t } = useCtx();
  const [mailingId, setMailingId] = useState<string | null>(null);
  if (ids.length === 0) {
    return (
      <div class="leadmail-list-action" data-entity-type={entityType}>
        <h2 class="leadmail-h2">{t('list.title', { n: 0 })}</h2>
        <p class="leadmail-muted">{t('list.nothing_selected')}</p>
        <div class="leadmail-modal__footer">
          <button type="button" class="leadmail-btn" onClick={close}>
            {t('common.close')}
          </button>
        </div>
      </div>
    );
  }
  if (mailingId) return <MailingProgress key={mailingId} id={mailingId} close={close} onFollow={setMailingId} />;
  return <MailingForm entityType={entityType} ids={ids} selectedCount={selectedCount} close={close} onStarted={setMailingId} />;
}
