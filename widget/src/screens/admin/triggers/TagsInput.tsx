/**
 * Tag names as chips: type a name and press Enter (or a comma), or pick one of the account's lead
 * tags from the suggestions. Unknown names are fine: Kommo creates them.
 */
import { useState } from 'preact/hooks';

export interface TagsInputProps {
  values: string[];
  onChange(values: string[]): void;
  /** The account's tags, offered while typing. */
  suggestions: string[];
  listId: string;
  placeholder: string;
  removeLabel: string;
  class?: string;
}

export function TagsInput({ values, onChange, suggestions, listId, placeholder, removeLabel, class: cls }: TagsInputProps) {
  const [text, setText] = useState('');
  const add = (raw: string) => {
    const name = raw.trim();
    setText('');
    if (name && !values.includes(name)) onChange([...values, name]);
  };
  return (
    <div class={`leadmail-trg__tags ${cls ?? ''}`}>
      {values.map((v) => (
        <span key={v} class="leadmail-chip leadmail-trg__tag">
          {v}
          <button type="button" class="leadmail-chip__remove" aria-label={`${removeLabel} ${v}`} onClick={() => onChange(values.filter((x) => x !== v))}>
            ×
          </button>
        </span>
      ))}
      <input
        type="text"
        class="leadmail-trg__tag-input"
        list={listId}
        value={text}
        placeholder={placeholder}
        onInput={(e) => {
          const v = e.currentTarget.value;
          // Picking a suggestion fills the whole name at once (no keydown): take it as a chip.
          if (suggestions.includes(v) && (e as InputEvent).inputType !== 'insertText') add(v);
          else if (v.endsWith(',')) add(v.slice(0, -1));
          else setText(v);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add(e.currentTarget.value);
          } else if (e.key === 'Backspace' && e.currentTarget.value === '' && values.length) onChange(values.slice(0, -1));
        }}
        onBlur={(e) => add(e.currentTarget.value)}
      />
      <datalist id={listId}>
        {suggestions
          .filter((s) => !values.includes(s))
          .map((s) => (
            <option key={s} value={s} />
          ))}
      </datalist>
    </div>
  );
}
