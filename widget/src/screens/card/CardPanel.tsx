/**
 * The right panel of a lead, contact or company card: "New email" and the entity's recent mails.
 * Polls while a mail is still on its way so its status changes without a reload.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { EmailView } from '../../api/client.js';
import { useCtx, type Entity } from '../../ui/context.js';
import { errorText } from '../../ui/errors.js';
import { EmailItem } from './EmailItem.js';

const POLL_MS = 3000;
const inFlight = (e: EmailView): boolean => e.status === 'queued' || e.status === 'sending';

export function CardPanel({ entity }: { entity: Entity }) {
  const { t, api, openCompose } = useCtx();
  const [emails, setEmails] = useState<EmailView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const alive = useRef(true);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const list = await api.emailsOf(entity.entityType, entity.entityId);
      if (!alive.current) return;
      setEmails(list);
      setError(null);
    } catch (err) {
      if (alive.current) setError(errorText(t, err));
    } finally {
      if (alive.current) setLoading(false);
    }
  }, [api, t, entity.entityType, entity.entityId]);

  useEffect(() => {
    alive.current = true;
    void load();
    return () => {
      alive.current = false;
    };
  }, [load]);

  const polling = emails?.some(inFlight) ?? false;
  useEffect(() => {
    if (!polling) return;
    const timer = setTimeout(() => void load(), POLL_MS);
    return () => clearTimeout(timer);
  }, [polling, emails, load]);

  return (
    <div class="leadmail-card" data-entity-type={entity.entityType} data-entity-id={entity.entityId}>
      <div class="leadmail-card__actions">
        <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-card__new" onClick={() => openCompose(entity, () => void load())}>
          {t('card.new_email')}
        </button>
        <button type="button" class="leadmail-btn leadmail-btn--link leadmail-card__refresh" disabled={loading} onClick={() => void load()} title={t('common.refresh')}>
          ↻
        </button>
      </div>
      <div class="leadmail-card__title">{t('card.recent')}</div>
      {error && (
        <div class="leadmail-alert leadmail-alert--error" role="alert">
          {error}{' '}
          <button type="button" class="leadmail-btn leadmail-btn--link" onClick={() => void load()}>
            {t('common.retry')}
          </button>
        </div>
      )}
      {emails === null && !error && <div class="leadmail-muted">{t('common.loading')}</div>}
      {emails && emails.length === 0 && <div class="leadmail-muted leadmail-card__empty">{t('card.empty')}</div>}
      {emails && emails.length > 0 && (
        <ul class="leadmail-emails">
          {emails.map((e) => (
            <EmailItem key={e.id} email={e} onChanged={() => void load()} />
          ))}
        </ul>
      )}
    </div>
  );
}
