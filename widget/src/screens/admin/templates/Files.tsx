/**
 * A template's files and link attachments (seed 004): files go with every mail sent from the
 * template, at most 50 MB together (checked here before upload, and by the server); link
 * attachments are downloaded when a mail is sent. A saved template's files are uploaded and
 * removed at once; a new template's go with its first save.
 */
import { useRef } from 'preact/hooks';
import { formatSize } from '../../compose/Attachments.js';
import { useCtx } from '../../../ui/context.js';
import { ClipIcon } from '../../../ui/icons.js';

/** shared/schemas/template.ts MAX_TEMPLATE_ATTACHMENTS_BYTES (a value import would pull zod into the bundle). */
export const MAX_TEMPLATE_BYTES = 50 * 1024 * 1024;

export interface ShownFile {
  key: string;
  name: string;
  size: number;
}

export function FilesField(props: {
  files: ShownFile[];
  onAdd(files: File[]): void;
  onRemove(key: string): void;
  busy: boolean;
  progress: number | null;
  error: string | null;
  disabled: boolean;
}) {
  const { t } = useCtx();
  const input = useRef<HTMLInputElement>(null);
  const total = props.files.reduce((n, f) => n + f.size, 0);
  return (
    <div class="leadmail-tpl-files" data-field="files">
      <div class="leadmail-tpl-files__bar">
        <button type="button" class="leadmail-btn leadmail-tpl-files__add" disabled={props.busy || props.disabled} onClick={() => input.current?.click()}>
          <ClipIcon /> {t('admin_templates.attach')}
        </button>
        <span class={`leadmail-tpl-files__total${total > MAX_TEMPLATE_BYTES * 0.9 ? ' leadmail-tpl-files__total--near' : ''}`}>
          {t('admin_templates.total', { size: formatSize(total), max: '50 MB' })}
        </span>
        <input
          ref={input}
          type="file"
          multiple
          class="leadmail-attachments__input leadmail-tpl-files__input"
          onChange={(e) => {
            const picked = Array.from(e.currentTarget.files ?? []);
            e.currentTarget.value = '';
            if (picked.length) props.onAdd(picked);
          }}
        />
      </div>
      {props.files.length > 0 && (
        <ul class="leadmail-tpl-files__list">
          {props.files.map((f) => (
            <li key={f.key} class="leadmail-tpl-file" data-name={f.name}>
              <span class="leadmail-tpl-file__name">{f.name}</span> <span class="leadmail-muted leadmail-tpl-file__size">{formatSize(f.size)}</span>
              {!props.disabled && (
                <button type="button" class="leadmail-chip__remove" aria-label={t('admin_templates.remove_file', { name: f.name })} disabled={props.busy} onClick={() => props.onRemove(f.key)}>
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {props.progress !== null && (
        <div class="leadmail-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(props.progress * 100)}>
          <div class="leadmail-progress__bar" style={{ width: `${Math.round(props.progress * 100)}%` }} />
          <span class="leadmail-progress__label">{t('admin_templates.uploading', { percent: Math.round(props.progress * 100) })}</span>
        </div>
      )}
      {props.error && (
        <div class="leadmail-field-error" role="alert" data-error-for="files">
          {props.error}
        </div>
      )}
    </div>
  );
}

export interface LinkRow {
  url: string;
  filename: string;
}

export function LinksField({ links, onChange, error, disabled }: { links: LinkRow[]; onChange(l: LinkRow[]): void; error: string | null; disabled: boolean }) {
  const { t } = useCtx();
  const set = (i: number, patch: Partial<LinkRow>) => onChange(links.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  return (
    <div class="leadmail-tpl-links" data-field="linkAttachments">
      {links.map((l, i) => (
        <div key={i} class="leadmail-tpl-links__row">
          <input
            class="leadmail-input leadmail-tpl-links__url"
            placeholder="https://…"
            aria-label={t('admin_templates.link_url')}
            value={l.url}
            disabled={disabled}
            onInput={(e) => set(i, { url: e.currentTarget.value })}
          />
          <input
            class="leadmail-input leadmail-tpl-links__filename"
            placeholder={t('admin_templates.link_filename')}
            aria-label={t('admin_templates.link_filename')}
            value={l.filename}
            disabled={disabled}
            onInput={(e) => set(i, { filename: e.currentTarget.value })}
          />
          {!disabled && (
            <button type="button" class="leadmail-chip__remove" aria-label={t('admin_templates.remove_link')} onClick={() => onChange(links.filter((_, j) => j !== i))}>
              ×
            </button>
          )}
        </div>
      ))}
      {!disabled && (
        <button type="button" class="leadmail-btn leadmail-btn--link leadmail-tpl-links__add" onClick={() => onChange([...links, { url: '', filename: '' }])}>
          + {t('admin_templates.add_link')}
        </button>
      )}
      <div class="leadmail-muted leadmail-tpl-links__hint">{t('admin_templates.links_hint')}</div>
      {error && (
        <div class="leadmail-field-error" role="alert" data-error-for="linkAttachments">
          {error}
        </div>
      )}
    </div>
  );
}
