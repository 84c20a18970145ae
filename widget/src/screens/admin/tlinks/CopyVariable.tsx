/**
 * A trigger link's variable (`{{triggerlink 8}}`, not editable) with "Copy": the user pastes it
 * into a link's href in a template. Says "Copied" when the clipboard took it; otherwise leaves the
 * text selected in its read-only field and asks for Ctrl+C.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { copyToClipboard } from '../../../host/host.js';
import { useCtx } from '../../../ui/context.js';

const NOTICE_MS = 4000;

export function CopyVariable({ variable, compact }: { variable: string; compact?: boolean }) {
  const { t } = useCtx();
  const field = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'manual'>('idle');
  useEffect(() => {
    if (state !== 'copied') return;
    const timer = setTimeout(() => setState('idle'), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => setState((await copyToClipboard(variable, field.current)) ? 'copied' : 'manual');
  return (
    <span class={`leadmail-tlinks-copy${compact ? ' leadmail-tlinks-copy--compact' : ''}`} data-variable={variable}>
      <input ref={field} class="leadmail-input leadmail-tlinks-copy__field" readOnly value={variable} onFocus={(e) => e.currentTarget.select()} aria-label={t('admin_tlinks.variable')} />
      <button type="button" class="leadmail-btn leadmail-btn--small leadmail-tlinks-copy__btn" onClick={() => void copy()}>
        {t('admin_tlinks.copy')}
      </button>
      {state !== 'idle' && (
        <span class={`leadmail-tlinks-copy__notice leadmail-tlinks-copy__notice--${state}`} role="status">
          {t(state === 'copied' ? 'admin_tlinks.copied' : 'admin_tlinks.copy_manual')}
        </span>
      )}
    </span>
  );
}
