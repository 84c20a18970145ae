/** A button that opens a small floating list; closes on a pick, Escape or a click elsewhere. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface DropdownProps {
  label: ComponentChildren;
  title?: string;
  class?: string;
  disabled?: boolean;
  /** The list; `close` hides it. */
  children: (close: () => void) => ComponentChildren;
}

export function Dropdown({ label, title, class: cls, disabled, children }: DropdownProps) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        setOpen(false);
      }
    };
    document.addEventListener('mousedown', away);
    document.addEventListener('keydown', esc, true);
    return () => {
      document.removeEventListener('mousedown', away);
      document.removeEventListener('keydown', esc, true);
    };
  }, [open]);
  return (
    <div class={`leadmail-dropdown ${cls ?? ''}`} ref={root}>
      {/* mousedown would move the caret out of the editor before the pick */}
      <button type="button" class="leadmail-editor__btn leadmail-dropdown__toggle" title={title} disabled={disabled} aria-expanded={open} onMouseDown={(e) => e.preventDefault()} onClick={() => setOpen(!open)}>
        {label}
      </button>
      {open && <div class="leadmail-dropdown__menu">{children(() => setOpen(false))}</div>}
    </div>
  );
}
