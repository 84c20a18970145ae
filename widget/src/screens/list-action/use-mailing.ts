/**
 * One mailing kept up to date: GET /api/mailings/:id polled while anything can change, and
 * pause/resume/cancel. Shared by the list action's progress view and the advanced settings'
 * mailings page (its rows and its detail). A failed poll is retried by itself with a growing
 * delay, so a network hiccup never freezes a bar; everything stops when the screen is gone.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../../api/mailings.js';
import type { MailingAction, MailingView } from '../../api/mailings.js';
import { key, type I18nKey } from '../../host/i18n.js';
import { useCtx } from '../../ui/context.js';
import { errorText } from '../../ui/errors.js';
import { usePollAgain } from '../../ui/use-poll.js';
import { ACTIVE } from './progress-math.js';

const POLL_MS = 1000;
/** A paused mailing changes only when someone resumes it (or its mailbox is fixed): look less often. */
const PAUSED_POLL_MS = 5000;
/** After a failed poll: try again sooner than a person would give up, then less and less often. */
const MAX_BACKOFF_MS = 30_000;
const backoff = (failures: number) => Math.min(POLL_MS * 2 ** (failures - 1), MAX_BACKOFF_MS);

export const STATUS: Record<MailingView['status'], I18nKey> = {
  resolving: key('list.status.resolving'),
  queued: key('list.status.queued'),
  sending: key('list.status.sending'),
  done: key('list.status.done'),
  paused: key('list.status.paused'),
  cancelled: key('list.status.cancelled'),
  failed: key('list.status.failed'),
};

export const REASON_KIND: Record<MailingView['reasons'][number]['status'], I18nKey> = {
  skipped: key('list.count.skipped'),
  failed: key('list.count.failed'),
  unknown: key('list.count.unknown'),
};

/** Whether pause, resume or cancel applies to a mailing in `status`. */
export const canPause = (status: MailingView['status']) => ACTIVE.includes(status);
export const canResume = (status: MailingView['status']) => status === 'paused';
export const canCancel = (status: MailingView['status']) => ACTIVE.includes(status) || status === 'paused';

export interface LiveMailing {
  m: MailingView | null;
  error: string | null;
  /** Failed polls in a row (each one schedules the next try). */
  failures: number;
  /** An action is on its way. */
  busy: boolean;
  load(): Promise<void>;
  act(action: MailingAction): Promise<void>;
}

/** `onView` hears every fresh view (polls and actions), e.g. to reload what depends on the counts. */
export function useMailing(id: string, onView?: (m: MailingView) => void): LiveMailing {
  const { t, api: client } = useCtx();
  const rq = client.request;
  const [m, setM] = useState<MailingView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState(0);
  const alive = useRef(true);
  const heard = useRef(onView);
  heard.current = onView;

  const show = useCallback((view: MailingView) => {
    setM(view);
    heard.current?.(view);
  }, []);

  const load = useCallback(async () => {
    try {
      const view = await api.getMailing(rq, id);
      if (!alive.current) return;
      show(view);
      setError(null);
      setFailures(0);
    } catch (err) {
      if (!alive.current) return;
      setError(errorText(t, err));
      setFailures((n) => n + 1);
    }
  }, [rq, id, t, show]);

  useEffect(() => {
    alive.current = true;
    void load();
    return () => {
      alive.current = false;
    };
  }, [load]);

  usePollAgain(() => (failures > 0 ? backoff(failures) : m?.status === 'paused' ? PAUSED_POLL_MS : m && ACTIVE.includes(m.status) ? POLL_MS : null), load, [m, failures]);

  const act = useCallback(
    async (action: MailingAction) => {
      setBusy(true);
      try {
        const view = await api.mailingAction(rq, id, action);
        if (!alive.current) return;
        show(view);
        setError(null);
      } catch (err) {
        if (alive.current) setError(errorText(t, err));
      } finally {
        if (alive.current) setBusy(false);
      }
    },
    [rq, id, t, show],
  );

  return { m, error, failures, busy, load, act };
}
