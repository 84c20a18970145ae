/**
 * A small visual mail editor: an editable document (bold, italic, underline, lists, links,
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

const MARK = 'data-leadmail-editor';
const EDITOR_STYLE =
  'html,body{margin:0;min-height:100%}body{box-sizing:border-box;padding:10px 12px;font:14px/1.45 "PT Sans",Arial,sans-serif;color:#313942;outline:none;overflow-wrap:anywhere}img{max-width:100%}';
/** A whole document (its own head and styles) is kept whole; a fragment stays a fragment. */
const isFullDocument = (html: string): boolean => /<(html|head|body)[\s>]/i.test(html);

function serialize(d: Document, full: boolean): string {
  if (!full) return d.body.innerHTML;
  // Copied into a document without a window: its images are not fetched or decoded again.
  const root = document.implementation.createHTMLDocument('').importNode(d.documentElement, true);
  root.querySelectorAll(`[${MARK}]`).forEach((n) => n.remove());
  root.querySelector('body')?.removeAttribute('contenteditable');
  return `<!DOCTYPE html>\n${root.outerHTML}`;
}

/**
 * The visual area is an iframe sandboxed without scripts: a template's HTML (written by any user
 * of the account) cannot run script in the Kommo page, and its styles cannot restyle Kommo.
 */
export function HtmlEditor({ value, onChange, handle, onFiles, onFocus, tools, invalid }: HtmlEditorProps) {
  const { t } = useCtx();
  const [mode, setMode] = useState<'visual' | 'html'>('visual');
  const [linkUrl, setLinkUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const frame = useRef<HTMLIFrameElement>(null);
  const source = useRef<HTMLTextAreaElement>(null);
  const linkInput = useRef<HTMLInputElement>(null);
  const shown = useRef<string | null>(null);
  const full = useRef(false);
  /** What the area sent up lately: an echo of one of these arriving late is not an outside change. */
  const echoes = useRef(new Set<string>());
  // The document's listeners are set once per load; they call the latest props through this.
  const latest = useRef({ onChange, onFiles, onFocus });
  latest.current = { onChange, onFiles, onFocus };

  const doc = (): Document | null => frame.current?.contentDocument ?? null;

  const emit = () => {
    const d = doc();
    if (!d) return;
    const html = serialize(d, full.current);
    shown.current = html;
    if (echoes.current.size > 50) echoes.current.clear();
    echoes.current.add(html);
    latest.current.onChange(html);
  };

  const load = (html: string) => {
    const d = doc();
    if (!d) return;
    full.current = isFullDocument(html);
    d.open();
    d.write(full.current ? html : `<!DOCTYPE html><html><head></head><body>${html}</body></html>`);
    d.close();
    const style = d.createElement('style');
    style.setAttribute(MARK, '');
    style.textContent = EDITOR_STYLE;
    d.head.appendChild(style);
    d.body.contentEditable = 'true';
    // document.open() dropped the previous listeners.
    d.addEventListener('input', emit);
    d.addEventListener('focusin', () => latest.current.onFocus?.());
    d.addEventListener('paste', (e) => takeFiles(e.clipboardData?.files, e));
    d.addEventListener('dragover', (e) => e.preventDefault());
    d.addEventListener('drop', (e) => takeFiles(e.dataTransfer?.files, e));
    shown.current = html;
    echoes.current.clear();
  };

  // Mounted (or back from the HTML mode): show the value.
  useLayoutEffect(() => {
    if (mode === 'visual') load(value);
  }, [mode]);

  // Outside changes (a template filled in) replace the content; what the area itself sent up
  // does not (rewriting it would move the caret).
  useLayoutEffect(() => {
    const d = doc();
    if (mode !== 'visual' || !d || value === shown.current || echoes.current.has(value) || value === serialize(d, full.current)) return;
    load(value);
  }, [value]);

  const exec = (command: string, arg?: string) => {
    const d = doc();
    if (!d) return;
    frame.current?.contentWindow?.focus();
    const sel = d.getSelection();
    if (sel && (sel.rangeCount === 0 || !d.body.contains(sel.anchorNode))) {
      const end = d.createRange();
      end.selectNodeContents(d.body);
      end.collapse(false);
      sel.removeAllRanges();
      sel.addRange(end);
    }
    d.execCommand(command, false, arg);
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
  // The link bar opens with "https://" selected: a pasted address (a trigger link's variable
  // among them) replaces it instead of landing after it. Before paint, so keys typed at once land there.
  const linkOpen = linkUrl !== null;
  useLayoutEffect(() => {
    if (!linkOpen) return;
    linkInput.current?.focus();
    linkInput.current?.select();
  }, [linkOpen]);

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
    if (others.length) latest.current.onFiles?.(others);
    return true;
  };

  const applyLink = () => {
    const url = (linkUrl ?? '').trim();
    setLinkUrl(null);
    if (!url) return;
    const sel = doc()?.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) exec('insertHTML', `<a href="${escapeAttr(url)}">${escapeAttr(url)}</a>`);
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
            ref={linkInput}
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
        <iframe ref={frame} class="leadmail-editor__frame" sandbox="allow-same-origin" title={t('compose.body')} />
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
