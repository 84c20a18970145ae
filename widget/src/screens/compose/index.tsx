/**
 * Mount point of compose (a modal over the card). This is the placeholder the compose screen
 * replaces: keep the signature, `onSent` refreshes the card panel.
 */
import type { Entity } from '../../ui/context.js';
import { useCtx } from '../../ui/context.js';

export interface ComposeProps {
  entity: Entity;
  onSent: () => void;
  close: () => void;
}

export function Compose({ entity, close }: ComposeProps) {
  const { t } = useCtx();
  return (
    <div class="leadmail-compose" data-entity-type={entity.entityType} data-entity-id={entity.entityId}>
      <h2 class="leadmail-h2">{t('compose.title')}</h2>
      <p class="leadmail-muted">{t('compose.coming')}</p>
      <div class="leadmail-modal__footer">
        <button type="button" class="leadmail-btn" onClick={close}>
          {t('common.close')}
        </button>
      </div>
    </div>
  );
}
