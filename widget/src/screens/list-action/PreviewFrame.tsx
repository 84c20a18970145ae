/** The rendered mail in a sandboxed iframe: no script runs, nothing reaches Kommo's page. */
import type { Preview } from '../../api/mailings.js';
import { useCtx } from '../../ui/context.js';

export function PreviewFrame({ preview }: { preview: Preview }) {
  const { t } = useCtx();
  return (
    <div class="leadmail-preview">
      <div class="leadmail-preview__subject">{t('list.preview_subject', { subject: preview.subject })}</div>
      <iframe class="leadmail-preview__frame" sandbox="" title={t('list.preview')} srcDoc={preview.html} />
    </div>
  );
}
