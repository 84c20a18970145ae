/**
 * Find a lead, contact or company by typing part of its name (or its id) and pick it from a short
 * list — instead of copying a record id out of Kommo's address bar. The server searches through
 * Kommo and keeps to the user's view rights; typing pauses briefly before it is asked.
 * Keyboard: ↑/↓ move, Enter picks, Escape closes.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { entitiesApi, type EntitySearchHit } from '../api/entities.js';
import type { EntityType } from '../../../shared/schemas/common.js';
import type { T } from '../host/i18n.js';
import { useCtx } from './context.js';
import { useLoad } from './use-load.js';

export type { EntitySearchHit };

/** Typing pauses this long before the server is asked. */
const SEARCH_DELAY_MS = 250;
const LIMIT = 8;

export interface EntityPickerProps {
  type: EntityType;
  /** The picked record; null while none is. */
  value: EntitySearchHit | null;
  onChange(hit: EntitySearchHit | null): void;
  invalid?: boolean;
  class?: string;
}

let seq = 0;

export function EntityPicker({ type, value, onChange, invalid, class: cls }: EntityPickerProps) {
  const { t, api, lang } = useCtx();
  const eapi = useMemo(() => entitiesApi(api.request), [api]);
  const listId = useMemo(() => `leadmail-picker-${++seq}`, []);
  const [typed, setTyped] = useState(value?.name ?? '');
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);

  // A record picked (here or by the parent) shows its name; another type starts afresh. Layout
  // effects: applied with the render, before the user can type into the stale text.
  useLayoutEffect(() => {
    if (value) setTyped(value.name);
  }, [value?.id]);
  const shownType = useRef(type);
  useLayoutEffect(() => {
    if (shownType.current === type) return;
    shownType.current = type;
    setTyped(value?.name ?? '');
  }, [type]);
  useEffect(() => {
    const q = typed.trim();
    if (value && typed === value.name) return;
    const timer = setTimeout(() => setQuery(q), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);
  const found = useLoad(async () => ({ query, type, hits: query ? await eapi.search(type, query, LIMIT) : [] }), [eapi, type, query]);
  useLayoutEffect(() => setActive(0), [found.value]);

  const hits = found.value && found.value.query === query && found.value.type === type ? found.value.hits : null;
  const busy = typed.trim() !== query || found.loading;
  const pick = (hit: EntitySearchHit) => {
    onChange(hit);
    setTyped(hit.name);
    setOpen(false);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && open) {
      e.stopPropagation();
      setOpen(false);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      const n = hits?.length ?? 0;
      if (n) setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
    } else if (e.key === 'Enter' && open && hits?.[active] && !busy) {
      e.preventDefault();
      pick(hits[active]);
    }
  };

  const showList = open && typed.trim() !== '' && !(value && typed === value.name);
  return (
    <div class={`leadmail-picker ${cls ?? ''}`} data-type={type}>
      <input
        class={`leadmail-input leadmail-picker__input${invalid ? ' leadmail-input--invalid' : ''}`}
        type="search"
        role="combobox"
        autoComplete="off"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showList && hits?.[active] ? `${listId}-${active}` : undefined}
        placeholder={t(`picker.placeholder.${type}`)}
        aria-label={t(`picker.placeholder.${type}`)}
        value={typed}
        onInput={(e) => {
          setTyped(e.currentTarget.value);
          setOpen(true);
          if (value) onChange(null);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKey}
      />
      {value && <span class="leadmail-picker__picked-id">#{value.id}</span>}
      {showList && (
        // mousedown would blur the input (and close the list) before the click picks
        <div class="leadmail-picker__menu" onMouseDown={(e) => e.preventDefault()}>
          {found.error && !busy ? (
            <div class="leadmail-picker__state leadmail-picker__state--error" role="alert">
              {found.error}
            </div>
          ) : busy || !hits ? (
            <div class="leadmail-picker__state leadmail-picker__state--busy">{t('picker.searching')}</div>
          ) : hits.length === 0 ? (
            <div class="leadmail-picker__state leadmail-picker__state--empty">{t('picker.nothing', { query })}</div>
          ) : null}
          {hits && hits.length > 0 && (
            <ul class="leadmail-picker__list" id={listId} role="listbox" aria-label={t('picker.results')}>
              {hits.map((h, i) => (
                <li
                  key={h.id}
                  id={`${listId}-${i}`}
                  class={`leadmail-picker__item${i === active ? ' leadmail-picker__item--active' : ''}`}
                  role="option"
                  aria-selected={i === active}
                  data-id={h.id}
                  onMouseEnter={() => setActive(i)}
                  onClick={() => pick(h)}
                >
                  <span class="leadmail-picker__name">{h.name}</span>
                  <span class="leadmail-picker__id">#{h.id}</span>
                  <span class="leadmail-picker__meta">{meta(h, type, t, lang)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

function meta(h: EntitySearchHit, type: EntityType, t: T, lang: string): string {
  if (type === 'leads') {
    const parts = [h.pipeline && h.status ? `${h.pipeline} · ${h.status}` : (h.status ?? '')];
    if (h.price) parts.push(t('picker.price', { price: new Intl.NumberFormat(lang).format(h.price) }));
    return parts.filter(Boolean).join(' · ');
  }
  if (type === 'contacts') return h.email ?? t('picker.no_email');
  return '';
}
