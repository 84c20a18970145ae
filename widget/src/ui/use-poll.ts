/**
 * Look again after a while: after each change of `after` (a fresh answer), runs `again` once when
 * `waitMs()` has passed, or never when it says null (nothing can change). `waitMs` is asked only
 * then, so a re-render for anything else does not restart the wait. The timer dies with the screen.
 */
import { useEffect } from 'preact/hooks';

export function usePollAgain(waitMs: () => number | null, again: () => unknown, after: unknown[]): void {
  useEffect(() => {
    const wait = waitMs();
    if (wait === null) return;
    const timer = setTimeout(() => void again(), wait);
    return () => clearTimeout(timer);
  }, [again, ...after]);
}
