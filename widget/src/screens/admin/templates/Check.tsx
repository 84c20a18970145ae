/**
 * Try the template on a real CRM entity: the preview renders it (with the edits not saved yet)
 * from the entity's Kommo data and the sender's signature; the dry run draws what sending it
 * would set off, as a timeline. Neither sends or changes anything.
 */
import { useMemo, useState } from 'preact/hooks';
import { templatesApi, type DryRunResult, type DryRunScenario, type Preview, type TemplateView, type TriggerLinkView } from '../../../api/admin-templates.js';
import type { EntityType } from '../../../../../shared/schemas/common.js';
import { useCtx } from '../../../ui/context.js';
import { EntityPicker, type EntitySearchHit } from '../../../ui/entity-picker.js';
import { errorText } from '../../../ui/errors.js';
import { PreviewPane } from '../../compose/PreviewPane.js';
import { useMe } from '../me.js';
import { bodyOf, draftOf, type Draft } from './draft.js';
import { Timeline } from './Timeline.js';

type Kind = DryRunScenario['kind'];

function scenarioOf(kind: Kind, minutes: number, linkId: number | null): DryRunScenario | null {
  const afterSeconds = Math.max(0, Math.round(minutes * 60));
  if (kind === 'opened') return { kind, afterSeconds };
  if (kind === 'clicked') return linkId ? { kind, linkId, afterSeconds } : null;
  return { kind };
}

export function Check({ saved, draft, links }: { saved: TemplateView | null; draft: Draft; links: TriggerLinkView[] }) {
  const { t, api } = useCtx();
  const me = useMe();
  const tapi = useMemo(() => templatesApi(api.request), [api]);
  const [entityType, setEntityType] = useState<EntityType>('leads');
  const [picked, setPicked] = useState<EntitySearchHit | null>(null);
  const [idError, setIdError] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ result: Preview | null; error: string | null } | null>(null);
  const [kind, setKind] = useState<Kind>('opened');
  const [minutes, setMinutes] = useState(60);
  const [linkId, setLinkId] = useState<number | null>(links[0]?.id ?? null);
  const [dry, setDry] = useState<{ result: DryRunResult | null; error: string | null; running: boolean } | null>(null);
  // The dry run reads the stored template: say so when the form holds edits not saved yet.
  const unsaved = !saved || JSON.stringify(bodyOf(draft, me.isAdmin)) !== JSON.stringify(bodyOf(draftOf(saved, me.userId), me.isAdmin));

  const entity = () => {
    if (!picked) {
      setIdError(t('admin_templates.check.need_id'));
      return null;
    }
    setIdError(null);
    return { entityType, entityId: picked.id };
  };

  const runPreview = async () => {
    const e = entity();
    if (!e) return;
    setPreview({ result: null, error: null });
    try {
      setPreview({ result: await tapi.preview(saved?.id ?? null, { ...e, subject: draft.subject, html: draft.html, disableSignature: draft.disableSignature }), error: null });
    } catch (err) {
      setPreview({ result: null, error: errorText(t, err) });
    }
  };

  const runDry = async () => {
    const e = entity();
    const scenario = scenarioOf(kind, minutes, linkId);
    if (!e || !saved || !scenario) return;
    setDry({ result: null, error: null, running: true });
    try {
      setDry({ result: await tapi.dryRun(saved.id, { ...e, scenario }), error: null, running: false });
    } catch (err) {
      setDry({ result: null, error: errorText(t, err), running: false });
    }
  };

  return (
    <section class="leadmail-tpl-section leadmail-tpl-check">
      <h3 class="leadmail-tpl-section__title">{t('admin_templates.check.title')}</h3>
      <div class="leadmail-tpl-check__entity">
        <select class="leadmail-select leadmail-tpl-check__type" aria-label={t('admin_templates.check.entity_type')} value={entityType} onChange={(e) => {
            setEntityType(e.currentTarget.value as EntityType);
            setPicked(null);
          }}>
          <option value="leads">{t('admin_templates.check.lead')}</option>
          <option value="contacts">{t('admin_templates.check.contact')}</option>
          <option value="companies">{t('admin_templates.check.company')}</option>
        </select>
        <EntityPicker
          class="leadmail-tpl-check__picker"
          type={entityType}
          value={picked}
          invalid={!!idError}
          onChange={(hit) => {
            setPicked(hit);
            if (hit) setIdError(null);
          }}
        />
        <button type="button" class="leadmail-btn leadmail-tpl-check__preview" onClick={() => void runPreview()}>
          {t('admin_templates.check.preview')}
        </button>
      </div>
      {idError && (
        <div class="leadmail-field-error" role="alert" data-error-for="entityId">
          {idError}
        </div>
      )}
      {preview && <PreviewPane preview={preview.result} error={preview.error} onBack={() => setPreview(null)} />}

      <div class="leadmail-tpl-check__dry">
        <span class="leadmail-tpl-check__label">{t('admin_templates.dry.scenario')}</span>
        <select class="leadmail-select leadmail-tpl-check__kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
          <option value="opened">{t('admin_templates.dry.kind.opened')}</option>
          <option value="never_opened">{t('admin_templates.dry.kind.never_opened')}</option>
          <option value="failed">{t('admin_templates.dry.kind.failed')}</option>
          {links.length > 0 && <option value="clicked">{t('admin_templates.dry.kind.clicked')}</option>}
        </select>
        {kind === 'clicked' && (
          <select class="leadmail-select leadmail-tpl-check__link" value={String(linkId ?? '')} onChange={(e) => setLinkId(Number(e.currentTarget.value))}>
            {links.map((l) => (
              <option key={l.id} value={String(l.id)}>
                {l.name}
              </option>
            ))}
          </select>
        )}
        {(kind === 'opened' || kind === 'clicked') && (
          <label class="leadmail-tpl-check__after">
            {t('admin_templates.dry.after')}{' '}
            <input class="leadmail-input leadmail-tpl-check__minutes" type="number" min={0} value={minutes} onInput={(e) => setMinutes(Number(e.currentTarget.value) || 0)} />{' '}
            {t('admin_templates.dry.minutes')}
          </label>
        )}
        <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-tpl-check__run" disabled={!saved || dry?.running} onClick={() => void runDry()}>
          {dry?.running ? t('admin_templates.dry.running') : t('admin_templates.dry.run')}
        </button>
      </div>
      {!saved ? (
        <div class="leadmail-muted leadmail-tpl-check__hint">{t('admin_templates.dry.save_first')}</div>
      ) : (
        unsaved && <div class="leadmail-muted leadmail-tpl-check__hint">{t('admin_templates.dry.uses_saved')}</div>
      )}
      {dry?.error && (
        <div class="leadmail-alert leadmail-alert--error leadmail-tpl-check__error" role="alert">
          {dry.error}
        </div>
      )}
      {dry?.result && <Timeline result={dry.result} />}
    </section>
  );
}
