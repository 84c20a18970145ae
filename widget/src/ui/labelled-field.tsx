/**
 * A labelled form row that shows the server's complaint about its own field right under it
 * (ApiError.field, e.g. "recipients.fieldId"), and the helper that decides which row owns an error.
 */
import type { ComponentChildren } from 'preact';
import { ApiError } from '../host/transport.js';
import type { T } from '../host/i18n.js';
import { errorText } from './errors.js';

export interface FormError {
  /** The form field the error belongs to, or null for the form as a whole. */
  field: string | null;
  text: string;
}

/**
 * `aliases` maps a server field (or its first segment) to the form's own field name, e.g.
 * `{ subject: 'templateId' }`: the server wants a subject only because no template was chosen.
 */
export function formError(t: T, err: unknown, fields: string[], aliases: Record<string, string> = {}): FormError {
  const text = errorText(t, err);
  if (!(err instanceof ApiError) || !err.field) return { field: null, text };
  const named = aliases[err.field] ?? err.field;
  if (fields.includes(named)) return { field: named, text: stripField(text, err.field) };
  const head = named.split('.')[0]!;
  const owner = aliases[head] ?? head;
  return fields.includes(owner) ? { field: owner, text: stripField(text, err.field) } : { field: null, text };
}

/** "recipients.fieldId: is required …" under the field itself reads "is required …". */
function stripField(text: string, field: string): string {
  const prefix = `${field}: `;
  const i = text.indexOf(prefix);
  return i >= 0 ? text.slice(i + prefix.length) : text;
}

export function Field(props: { name: string; label: string; error: FormError | null; children: ComponentChildren; hint?: string }) {
  const mine = props.error?.field === props.name ? props.error.text : null;
  return (
    <div class={`leadmail-field${mine ? ' leadmail-field--error' : ''}`} data-field={props.name}>
      <div class="leadmail-field__label">{props.label}</div>
      <div class="leadmail-field__control">{props.children}</div>
      {props.hint && <div class="leadmail-field__hint leadmail-muted">{props.hint}</div>}
      {mine && (
        <div class="leadmail-field__error" role="alert">
          {mine}
        </div>
      )}
    </div>
  );
}

/** The form-wide error (no field named, or a field the form does not show). */
export function FormAlert({ error }: { error: FormError | null }) {
  if (!error || error.field) return null;
  return (
    <div class="leadmail-alert leadmail-alert--error leadmail-form-error" role="alert">
      {error.text}
    </div>
  );
}
