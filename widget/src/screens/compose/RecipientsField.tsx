/**
 * To, Cc and Bcc as chips. To offers the entity's contacts (GET …/recipients); any field takes
 * typed addresses, checked the moment they become a chip (Enter, comma, space or leaving the
 * field), so a typo shows on its chip at once instead of as a failed send.
 */
import { useState } from 'preact/hooks';
import type { EntityRecipient } from '../../api/compose.js';
import { useCtx } from '../../ui/context.js';

export type Chip = { kind: 'contact'; contactId: number; name: string; emails: string[] } | { kind: 'address'; address: string; valid: boolean };

// The shape zod's z.email() accepts (the server checks with it): no leading, trailing or double
// dot in the local part, a dotted domain with a 2+ letter top level.
const EMAIL = /^(?!\.)(?!.*\.\.)[A-Za-z0-9_'+\-.]*[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
export const isEmail = (s: string): boolean => s.length <= 254 && EMAIL.test(s);

export const chipKey = (c: Chip): string => (c.kind === 'contact' ? `c${c.contactId}` : `a${c.address.toLowerCase()}`);

export interface RecipientsFieldProps {
  name: 'to' | 'cc' | 'bcc';
  label: string;
  chips: Chip[];
  onChange(chips: Chip[]): void;
  /** The entity's contacts (To only). */
  contacts?: EntityRecipient[];
  error?: string | null;
}

export function RecipientsField({ name, label, chips, onChange, contacts, error }: RecipientsFieldProps) {
  const { t } = useCtx();
  const [text, setText] = useState('');

  const commit = (raw: string) => {
    const parts = raw.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
    if (parts.length === 0) return;
    const have = new Set(chips.map(chipKey));
    const added: Chip[] = [];
    for (const p of parts) {
      const chip: Chip = { kind: 'address', address: p, valid: isEmail(p) };
      if (!have.has(chipKey(chip))) added.push(chip);
      have.add(chipKey(chip));
    }
    onChange([...chips, ...added]);
    setText('');
  };

  const chosen = new Set(chips.filter((c) => c.kind === 'contact').map((c) => (c.kind === 'contact' ? c.contactId : 0)));
  const offers = (contacts ?? []).filter((c) => !chosen.has(c.contactId));
  const invalid = chips.filter((c) => c.kind === 'address' && !c.valid);

  return (
    <div class={`leadmail-field leadmail-recipients leadmail-recipients--${name}`} data-field={name}>
      <label class="leadmail-field__label">{label}</label>
      <div class="leadmail-field__control">
        <div class={`leadmail-chips${error || invalid.length ? ' leadmail-chips--invalid' : ''}`} onClick={(e) => e.currentTarget.querySelector('input')?.focus()}>
          {chips.map((c, i) => (
            <span
              key={chipKey(c)}
              class={`leadmail-chip${c.kind === 'address' && !c.valid ? ' leadmail-chip--invalid' : ''}`}
              title={c.kind === 'address' ? (c.valid ? c.address : t('compose.invalid_address', { address: c.address })) : c.emails.join(', ') || t('compose.no_address')}
            >
              {c.kind === 'contact' ? (
                <>
                  <b>{c.name}</b> <span class="leadmail-chip__email">{c.emails.join(', ')}</span>
                </>
              ) : (
                c.address
              )}
              <button type="button" class="leadmail-chip__remove" aria-label={t('compose.remove')} onClick={() => onChange(chips.filter((_, j) => j !== i))}>
                ×
              </button>
            </span>
          ))}
          <input
            class="leadmail-chips__input"
            type="text"
            value={text}
            placeholder={chips.length ? '' : t('compose.address_placeholder')}
            onInput={(e) => {
              const v = e.currentTarget.value;
              if (/[\s,;]$/.test(v)) commit(v);
              else setText(v);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                commit(text);
              } else if (e.key === 'Backspace' && !text && chips.length) onChange(chips.slice(0, -1));
            }}
            onBlur={() => commit(text)}
            onPaste={(e) => {
              const pasted = e.clipboardData?.getData('text') ?? '';
              if (/[\s,;]/.test(pasted.trim())) {
                e.preventDefault();
                commit(text + pasted);
              }
            }}
          />
        </div>
        {offers.length > 0 && (
          <div class="leadmail-recipients__offers">
            {offers.map((c) => (
              <button
                type="button"
                key={c.contactId}
                class="leadmail-btn leadmail-btn--link leadmail-recipients__offer"
                data-contact-id={c.contactId}
                disabled={c.emails.length === 0}
                title={c.emails.length ? c.emails.join(', ') : t('compose.no_address')}
                onClick={() => onChange([...chips, { kind: 'contact', contactId: c.contactId, name: c.name, emails: c.emails }])}
              >
                + {c.name}
                {c.emails.length === 0 && ` (${t('compose.no_address')})`}
              </button>
            ))}
          </div>
        )}
        {invalid.length > 0 && (
          <div class="leadmail-field-error leadmail-recipients__invalid" role="alert">
            {t('compose.invalid_address', { address: invalid.map((c) => (c.kind === 'address' ? c.address : '')).join(', ') })}
          </div>
        )}
        {error && (
          <div class="leadmail-field-error" role="alert" data-error-for={name}>
            {error}
          </div>
        )}
      </div>
    </div>
  );
}
