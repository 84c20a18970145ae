/**
 * One loader for every screen that shows data from the backend: the value, the server's words when
 * it failed, whether a load is running, and `reload`. An answer that arrives after the screen is
 * gone, or after a newer load started (a filter changed twice quickly), is dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { useCtx } from './context.js';
import { errorText } from './errors.js';

export interface Loaded<V> {
  value: V | null;
  error: string | null;
  loading: boolean;
  reload(): Promise<void>;
}

/** `deps` restart the load when they change (filters, page); `load` reads them from its closure. */
export function useLoad<V>(load: () => Promise<V>, deps: unknown[]): Loaded<V> {
  const { t } = useCtx();
  const [value, setValue] = useState<V | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const v = await loadRef.current();
      if (seq.current !== mine) return;
      setValue(v);
      setError(null);
    } catch (err) {
      if (seq.current === mine) setError(errorText(t, err));
    } finally {
      if (seq.current === mine) setLoading(false);
    }
  }, [t]);

  useEffect(() => {
    void reload();
    // A load still running when the screen goes away must not set state on it.
    return () => {
      seq.current++;
    };
  }, deps);

  return { value, error, loading, reload };
}
