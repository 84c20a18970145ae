/**
 * The user's own signature (rich text, GET/PUT /api/me/signature), added under every mail they
 * send unless a template disables it (seed 004). The preview shows it as the reader will: under
 * the mail's text, in a sandboxed frame where nothing of it can run.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { prefsApi } from '../../../api/admin-prefs.js';
import { useCtx } from '../../../ui/context.js';
import { escapeAttr, HtmlEditor, type EditorHandle } from '../../../ui/html-editor.js';
import { Field, FormAlert, formError, type FormError } from '../../../ui/labelled-field.js';
import { useLoad } from '../../../ui/use-load.js';
import { PrefsSection, SaveBar } from './Section.js';

const PREVIEW_STYLE = 'body{margin:10px 12px;font:14px/1.45 "PT Sans",Arial,sans-serif;color:#313942;overflow-wrap:anywhere}img{max-width:100%}.sample{color:#92989b}';

function previewDoc(sample: string, html: string): string {
  // escapeAttr also escapes what text needs (& < >); the signature itself goes in as the user's HTML.
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><style>${PREVIEW_STYLE}</style></head><body><p class="sample">${escapeAttr(sample)}</p><div class="leadmail-signature">${html}</div></body></html>`;
}

function SignatureForm({ initial }: { initial: string }) {
  const { t, api } = useCtx();
  const prefs = useMemo(() => prefsApi(api.request), [api]);
  const [html, setHtml] = useState(initial);
  const [stored, setStored] = useState(initial);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const handle = useRef<EditorHandle | null>(null);

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const res = await prefs.saveSignature(html);
      setStored(res.html);
    } catch (err) {
      setError(formError(t, err, ['html']));
    } finally {
      setSaving(false);
    }
  };

  const dirty = html !== stored;
  return (
    <div class="leadmail-prefs-signature__form">
      <Field name="html" label={t('admin_prefs.signature_label')} error={error}>
        <HtmlEditor value={html} onChange={setHtml} handle={handle} invalid={error?.field === 'html'} />
      </Field>
      <div class="leadmail-prefs-signature__preview">
        <div class="leadmail-prefs__sublabel">{t('admin_prefs.preview')}</div>
        {html.trim() === '' ? (
          <p class="leadmail-muted leadmail-prefs-signature__none">{t('admin_prefs.no_signature')}</p>
        ) : (
          <iframe class="leadmail-prefs-signature__frame" sandbox="" title={t('admin_prefs.preview')} srcdoc={previewDoc(t('admin_prefs.preview_sample'), html)} />
        )}
      </div>
      <FormAlert error={error} />
      <SaveBar name="signature" label="admin_prefs.save_signature" saving={saving} dirty={dirty} onSave={() => void save()} />
    </div>
  );
}

export function SignatureSection() {
  const { api } = useCtx();
  const prefs = useMemo(() => prefsApi(api.request), [api]);
  const sig = useLoad(() => prefs.signature(), [prefs]);
  return (
    <PrefsSection name="signature" title="admin_prefs.signature_title" intro="admin_prefs.signature_intro" loaded={sig}>
      {(v) => <SignatureForm initial={v.html} />}
    </PrefsSection>
  );
}
