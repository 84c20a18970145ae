/** A labelled input of the set-up form with the error the server named for it (as text). */
import type { ComponentChildren } from 'preact';

export function Field({ label, name, error, wide, children }: { label: string; name: string; error: string | null; wide?: boolean; children: ComponentChildren }) {
  return (
    <label class={`leadmail-setup__field${wide ? ' leadmail-setup__field--wide' : ''}${error ? ' leadmail-setup__field--invalid' : ''}`} data-field={name}>
      <span class="leadmail-setup__label">{label}</span>
      {children}
      {error && <span class="leadmail-setup__field-error">{error}</span>}
    </label>
  );
}
