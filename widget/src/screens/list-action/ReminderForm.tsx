/**
 * "Remind those who did not respond" under a finished mailing: who (not opened, not clicked, not
 * clicked a trigger link), with which template, decided and sent at a time →
 * POST /api/mailings/:id/reminder. The server decides who responded at that time.
 */
import { useEffect, useState } from 'preact/hooks';
import * as api from '../../api/mailings.js';
import type { MailingView, ReminderRequest, TemplateView, TriggerLinkView } from '../../api/mailings.js';
import { useCtx } from '../../ui/context.js';
import { Field, FormAlert, formError, type FormError } from '../../ui/labelled-field.js';
import { localInput, TemplateSelect, toIso } from './inputs.js';

type Condition = ReminderRequest['condition'];
const FIELDS = ['condition', 'linkId', 'templateId', 'startAt'];
const ALIASES = { subject: 'templateId', html: 'templateId' };
/** By default the reminder waits a day: people need time to open the first mail. */
const DEFAULT_WAIT_MINUTES = 24 * 60;

export function ReminderForm({ parent, onCreated }: { parent: MailingView; onCreated: (id: string) => void }) {
  const { t, api: client } = useCtx();
  const rq = client.request;
  const [open, setOpen] = useState(false);
  const [templates, setTemplates] = useState<TemplateView[] | null>(null);
  const [links, setLinks] = useState<TriggerLinkView[] | null>(null);
  const [condition, setCondition] = useState<Condition>('not_opened');
  const [linkId, setLinkId] = useState('');
  const [templateId, setTemplateId] = useState(parent.templateId ?? '');
  const [at, setAt] = useState(() => localInput(DEFAULT_WAIT_MINUTES));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);

  useEffect(() => {
    if (!open || templates) return;
    Promise.all([api.templates(rq), api.triggerLinks(rq)]).then(
      ([tpl, l]) => {
        setTemplates(tpl);
        setLinks(l);
      },
      (err) => setError(formError(t, err, FIELDS)),
    );
  }, [open, templates, rq, t]);

  const submit = async () => {
    const startAt = toIso(at);
    if (!startAt) {
      setError({ field: 'startAt', text: t('list.start_at_missing') });
      return;
    }
    const body: ReminderRequest = { condition, startAt, ...(templateId ? { templateId } : {}), ...(condition === 'not_clicked_link' && linkId ? { linkId: Number(linkId) } : {}) };
    setBusy(true);
    setError(null);
    try {
      onCreated((await api.createReminder(rq, parent.id, body)).id);
    } catch (err) {
      setError(formError(t, err, FIELDS, ALIASES));
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <div class="leadmail-reminder">
        <button type="button" class="leadmail-btn leadmail-reminder__open" onClick={() => setOpen(true)}>
          {t('list.reminder_open')}
        </button>
      </div>
    );
  }

  return (
    <div class="leadmail-reminder leadmail-reminder--open">
      <div class="leadmail-card__title">{t('list.reminder_title')}</div>
      {!templates && !error && <div class="leadmail-muted">{t('common.loading')}</div>}
      {templates && (
        <>
          <Field name="condition" label={t('list.reminder_who')} error={error}>
            <select class="leadmail-select leadmail-reminder__condition" value={condition} onChange={(e) => setCondition(e.currentTarget.value as Condition)}>
              <option value="not_opened">{t('list.cond_not_opened')}</option>
              <option value="not_clicked">{t('list.cond_not_clicked')}</option>
              <option value="not_clicked_link">{t('list.cond_not_clicked_link')}</option>
            </select>
          </Field>
          {condition === 'not_clicked_link' && (
            <Field name="linkId" label={t('list.reminder_link')} error={error} hint={links && links.length === 0 ? t('list.no_links') : undefined}>
              <select class="leadmail-select leadmail-reminder__link" value={linkId} onChange={(e) => setLinkId(e.currentTarget.value)}>
                <option value="">{t('list.choose_link')}</option>
                {(links ?? []).map((l) => (
                  <option key={l.id} value={String(l.id)}>
                    {l.name} ({l.variable})
                  </option>
                ))}
              </select>
            </Field>
          )}
          <Field name="templateId" label={t('list.template')} error={error}>
            <TemplateSelect templates={templates} value={templateId} onChange={setTemplateId} class="leadmail-reminder__template" />
          </Field>
          <Field name="startAt" label={t('list.reminder_at')} error={error} hint={t('list.reminder_at_hint')}>
            <input type="datetime-local" class="leadmail-input leadmail-reminder__at" value={at} onInput={(e) => setAt(e.currentTarget.value)} />
          </Field>
        </>
      )}
      <FormAlert error={error} />
      <div class="leadmail-reminder__actions">
        <button type="button" class="leadmail-btn" onClick={() => setOpen(false)}>
          {t('list.reminder_cancel')}
        </button>
        <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-reminder__create" disabled={busy || !templates} onClick={() => void submit()}>
          {t('list.reminder_create')}
        </button>
      </div>
    </div>
  );
}
