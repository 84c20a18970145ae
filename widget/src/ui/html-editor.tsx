/**
 * A small visual mail editor: a contenteditable area (bold, italic, underline, lists, links,
 * pasted or dropped images as data URIs) and an HTML mode (the source in a textarea). No editor
 * library is installed; the browser's editing commands are enough for mail bodies. Other screens
 * (templates) reuse it; callers insert at the caret through `handle` (variables, trigger links).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useCtx } from './context.js';
import { LinkIcon } from './icons.js';

/** Seed 004: images up to 5 MB. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export interface EditorHandle {
  insertText(text: string): void;
  insertHtml(html: string): void;
}

export interface HtmlEditorProps {
  value: string;
  onChange(html: string): void;
  /** Set to the editor's insert functions while it is mounted. */
  handle: { current: EditorHandle | null };
  /** Files dropped on the editor that are not images (the caller attaches them). */
  onFiles?(files: File[]): void;
  onFocus?(): void;
  /** Extra toolbar controls (variable picker, trigger links). */
  tools?: ComponentChildren;
  invalid?: boolean;
}

export const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function readDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(file);
  });
}

export function HtmlEditor({ value, onChange, handle, onFiles, onFocus, tools, invalid }: HtmlEditorProps) {
  const { t } = useCtx();
  const [mode, setMode] = useState<'visual' | 'html'>('visual');
  const [linkUrl, setLinkUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const area = useRef<HTMLDivElement>(null);
  const source = useRef<HTMLTextAreaElement>(null);
  const shown = useRef<string | null>(null);
  /** What the area sent up lately: an echo of one of these arriving late is not an outside change. */
  const echoes = useRef(new Set<string>());
  const range = useRef<Range | null>(null);

  // Outside changes (a template filled in, the HTML mode edited) replace the visual content; the
  // caret would jump if the area were rewritten with what it just sent up.
  useLayoutEffect(() => {
    const el = area.current;
    if (mode !== 'visual' || !el || value === shown.current || value === el.innerHTML || echoes.current.has(value)) return;
    el.innerHTML = value;
    shown.current = value;
    echoes.current.clear();
  }, [value, mode]);

  // The caret is lost when a toolbar control takes focus: remember the last one inside the area.
  useEffect(() => {
    const keep = () => {
      const sel = document.getSelection();
      if (sel && sel.rangeCount > 0 && area.current?.contains(sel.anchorNode)) range.current = sel.getRangeAt(0).cloneRange();
    };
    document.addEventListener('selectionchange', keep);
    return () => document.removeEventListener('selectionchange', keep);
  }, []);

  const emit = () => {
    const html = area.current?.innerHTML ?? '';
    shown.current = html;
    if (echoes.current.size > 50) echoes.current.clear();
    echoes.current.add(html);
    onChange(html);
  };

  const restore = () => {
    const el = area.current;
    if (!el) return;
    el.focus();
    const sel = document.getSelection();
    if (!sel) return;
    sel.removeAllRanges();
    if (range.current && el.contains(range.current.startContainer)) sel.addRange(range.current);
    else {
      const end = document.createRange();
      end.selectNodeContents(el);
      end.collapse(false);
      sel.addRange(end);
    }
  };

  const exec = (command: string, arg?: string) => {
    restore();
    document.execCommand(command, false, arg);
    emit();
  };

  const insertSource = (text: string) => {
    const ta = source.current;
    if (!ta) return;
    const at = ta.selectionStart ?? ta.value.length;
    const next = ta.value.slice(0, at) + text + ta.value.slice(ta.selectionEnd ?? at);
    onChange(next);
    requestAnimationFrame(() => {
      ta.focus();
      ta.setSelectionRange(at + text.length, at + text.length);
    });
  };

  handle.current = {
    insertText: (text) => (mode === 'html' ? insertSource(text) : exec('insertText', text)),
    insertHtml: (html) => (mode === 'html' ? insertSource(html) : exec('insertHTML', html)),
  };
  useEffect(() => () => void (handle.current = null), [handle]);

  const addImages = async (files: File[]) => {
    setError(null);
    for (const f of files) {
      if (f.size > MAX_IMAGE_BYTES) {
        setError(t('compose.image_too_large', { name: f.name }));
        continue;
      }
      exec('insertHTML', `<img src="${escapeAttr(await readDataUrl(f))}" alt="${escapeAttr(f.name)}" style="max-width:100%">`);
    }
  };

  const takeFiles = (list: FileList | null | undefined, e: Event): boolean => {
    const files = Array.from(list ?? []);
    if (files.length === 0) return false;
    e.preventDefault();
    const images = files.filter((f) => f.type.startsWith('image/'));
    const others = files.filter((f) => !f.type.startsWith('image/'));
    if (images.length) void addImages(images);
    if (others.length) onFiles?.(others);
    return true;
  };

  const applyLink = () => {
    const url = (linkUrl ?? '').trim();
    setLinkUrl(null);
    if (!url) return;
    const r = range.current;
    if (!r || r.collapsed) exec('insertHTML', `<a href="${escapeAttr(url)}">${escapeAttr(url)}</a>`);
    else exec('createLink', url);
  };

  const btn = (label: string, title: string, command: string, cls: string) => (
    <button type="button" class={`leadmail-editor__btn leadmail-editor__${cls}`} title={title} disabled={mode === 'html'} onMouseDown={(e) => e.preventDefault()} onClick={() => exec(command)}>
      {label}
    </button>
  );

  return (
    <div class={`leadmail-editor${invalid ? ' leadmail-editor--invalid' : ''}`} data-mode={mode}>
      <div class="leadmail-editor__toolbar">
        {btn('B', t('compose.bold'), 'bold', 'bold')}
        {btn('I', t('compose.italic'), 'italic', 'italic')}
        {btn('U', t('compose.underline'), 'underline', 'underline')}
        {btn('•', t('compose.list'), 'insertUnorderedList', 'ul')}
        <button type="button" class="leadmail-editor__btn leadmail-editor__link" title={t('compose.link')} disabled={mode === 'html'} onMouseDown={(e) => e.preventDefault()} onClick={() => setLinkUrl('https://')}>
          <LinkIcon />
        </button>
        {tools}
        <span class="leadmail-editor__spacer" />
        <button type="button" class={`leadmail-editor__btn leadmail-editor__mode${mode === 'html' ? ' leadmail-is-active' : ''}`} onClick={() => {
            // The visual area is mounted afresh: it must be filled again.
            shown.current = null;
            echoes.current.clear();
            setMode(mode === 'html' ? 'visual' : 'html');
          }}>
          HTML
        </button>
      </div>
      {linkUrl !== null && (
        <div class="leadmail-editor__linkbar">
          <input
            class="leadmail-input leadmail-editor__link-url"
            value={linkUrl}
            ref={(el) => el?.focus()}
            onInput={(e) => setLinkUrl(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                applyLink();
              }
            }}
          />
          <button type="button" class="leadmail-btn leadmail-btn--small leadmail-editor__link-ok" onClick={applyLink}>
            {t('compose.insert_link')}
          </button>
          <button type="button" class="leadmail-btn leadmail-btn--link" onClick={() => setLinkUrl(null)}>
            {t('common.close')}
          </button>
        </div>
      )}
      {mode === 'visual' ? (
        <div
          ref={area}
          class="leadmail-editor__area"
          contentEditable
          role="textbox"
          aria-multiline="true"
          onInput={emit}
          onFocus={onFocus}
          onPaste={(e) => takeFiles(e.clipboardData?.files, e)}
          onDrop={(e) => takeFiles(e.dataTransfer?.files, e)}
        />
      ) : (
        <textarea ref={source} class="leadmail-editor__source" spellcheck={false} value={value} onFocus={onFocus} onInput={(e) => onChange(e.currentTarget.value)} />
      )}
      {error && (
        <div class="leadmail-field-error leadmail-editor__error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
