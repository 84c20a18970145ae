/**
 * Attachments: by the button or by dropping files on this zone; a template's files are listed as
 * such (the server attaches them when the mail names the template). Together at most 100 MB
 * (seed 004), checked before upload; the upload itself shows its progress while sending.
 */
import { useRef, useState } from 'preact/hooks';
import { useCtx } from '../../ui/context.js';
import { ClipIcon } from '../../ui/icons.js';

/** server/shared: MAX_EMAIL_ATTACHMENTS_BYTES. */
export const MAX_ATTACHMENTS_BYTES = 100 * 1024 * 1024;

export interface Attached {
  id: number;
  file: File;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

let nextId = 1;

export interface AttachmentsProps {
  files: Attached[];
  onChange(files: Attached[]): void;
  fromTemplate: { id: string; filename: string; size: number }[];
  /** 0..1 while the mail uploads; null otherwise. */
  progress: number | null;
  error?: string | null;
}

export function useAddFiles(files: Attached[], fromTemplate: { size: number }[], onChange: (f: Attached[]) => void, onError: (msg: string | null) => void) {
  const { t } = useCtx();
  return (list: File[]) => {
    let total = [...files.map((f) => f.file.size), ...fromTemplate.map((f) => f.size)].reduce((a, b) => a + b, 0);
    const added: Attached[] = [];
    const refused: string[] = [];
    for (const file of list) {
      if (total + file.size > MAX_ATTACHMENTS_BYTES) {
        refused.push(file.name);
        continue;
      }
      total += file.size;
      added.push({ id: nextId++, file });
    }
    onError(refused.length ? t('compose.too_large', { names: refused.join(', ') }) : null);
    if (added.length) onChange([...files, ...added]);
  };
}

export function Attachments({ files, onChange, fromTemplate, progress, error }: AttachmentsProps) {
  const { t } = useCtx();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [limitError, setLimitError] = useState<string | null>(null);
  const add = useAddFiles(files, fromTemplate, onChange, setLimitError);
  const total = [...files.map((f) => f.file.size), ...fromTemplate.map((f) => f.size)].reduce((a, b) => a + b, 0);
  const shownError = error ?? limitError;

  return (
    <div
      class={`leadmail-attachments${over ? ' leadmail-attachments--over' : ''}`}
      data-field="files"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        add(Array.from(e.dataTransfer?.files ?? []));
      }}
    >
      <div class="leadmail-attachments__bar">
        <button type="button" class="leadmail-btn leadmail-btn--small leadmail-attachments__add" onClick={() => input.current?.click()}>
          <ClipIcon /> {t('compose.attach')}
        </button>
        <span class="leadmail-muted leadmail-attachments__hint">{t('compose.drop_hint')}</span>
        <span class="leadmail-muted leadmail-attachments__total">{t('compose.total', { size: formatSize(total), max: '100 MB' })}</span>
        <input
          ref={input}
          type="file"
          multiple
          class="leadmail-attachments__input"
          onChange={(e) => {
            add(Array.from(e.currentTarget.files ?? []));
            e.currentTarget.value = '';
          }}
        />
      </div>
      {(files.length > 0 || fromTemplate.length > 0) && (
        <ul class="leadmail-attachments__list">
          {fromTemplate.map((f) => (
            <li key={f.id} class="leadmail-attachment leadmail-attachment--template">
              <span class="leadmail-attachment__name">{f.filename}</span> <span class="leadmail-muted">{formatSize(f.size)}</span>{' '}
              <span class="leadmail-muted">· {t('compose.from_template')}</span>
            </li>
          ))}
          {files.map((f) => (
            <li key={f.id} class="leadmail-attachment" data-name={f.file.name}>
              <span class="leadmail-attachment__name">{f.file.name}</span> <span class="leadmail-muted">{formatSize(f.file.size)}</span>
              <button type="button" class="leadmail-chip__remove" aria-label={t('compose.remove')} disabled={progress !== null} onClick={() => onChange(files.filter((x) => x.id !== f.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {progress !== null && files.length > 0 && (
        <div class="leadmail-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress * 100)}>
          <div class="leadmail-progress__bar" style={{ width: `${Math.round(progress * 100)}%` }} />
          <span class="leadmail-progress__label">{t('compose.uploading', { percent: Math.round(progress * 100) })}</span>
        </div>
      )}
      {shownError && (
        <div class="leadmail-field-error" role="alert" data-error-for="files">
          {shownError}
        </div>
      )}
    </div>
  );
}
