/**
 * The eye: the mail rendered by the server for this very entity (its real data and the sender's
 * signature), in an iframe with every sandbox restriction (no scripts, no same origin), and its
 * text part as the server will send it.
 */
import type { PreviewResult } from '../../api/compose.js';
import { useCtx } from '../../ui/context.js';

export function PreviewPane({ preview, error, onBack }: { preview: PreviewResult | null; error: string | null; onBack(): void }) {
  const { t } = useCtx();
  return (
    <div class="leadmail-preview">
      <div class="leadmail-preview__head">
        <button type="button" class="leadmail-btn leadmail-btn--link leadmail-preview__back" onClick={onBack}>
          ← {t('compose.back_to_edit')}
        </button>
      </div>
      {error && (
        <div class="leadmail-alert leadmail-alert--error" role="alert">
          {error}
        </div>
      )}
      {!preview && !error && <div class="leadmail-muted">{t('common.loading')}</div>}
      {preview && (
        <>
          <div class="leadmail-preview__subject">
            <span class="leadmail-muted">{t('compose.subject')}:</span> <b>{preview.subject}</b>
          </div>
          <iframe class="leadmail-preview__frame" title={t('compose.preview')} sandbox="" srcdoc={preview.html} />
          <details class="leadmail-preview__textpart">
            <summary>{t('compose.text_part')}</summary>
            <pre class="leadmail-preview__text">{preview.text}</pre>
          </details>
        </>
      )}
    </div>
  );
}
