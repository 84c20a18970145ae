/** A load that failed: the server's words and a "Retry" button, as every screen shows it. */
import type { ComponentChildren } from 'preact';
import { useCtx } from './context.js';

export function RetryAlert({ children, onRetry, class: cls, button = 'link' }: { children: ComponentChildren; onRetry(): unknown; class?: string; button?: 'link' | 'small' }) {
  const { t } = useCtx();
  return (
    <div class={`leadmail-alert leadmail-alert--error${cls ? ` ${cls}` : ''}`} role="alert">
      {children}{' '}
      <button type="button" class={`leadmail-btn leadmail-btn--${button}`} onClick={() => void onRetry()}>
        {t('common.retry')}
      </button>
    </div>
  );
}
