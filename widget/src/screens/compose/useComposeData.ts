/** Everything compose offers, loaded at once; one failing source does not hide the others. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { composeApi, type EntityRecipient, type MailboxView, type TemplateVariable, type TemplateView, type TriggerLinkView, type TriggerView } from '../../api/compose.js';
import { useCtx, type Entity } from '../../ui/context.js';
import { errorText } from '../../ui/errors.js';

export interface ComposeData {
  mailboxes: MailboxView[] | null;
  contacts: EntityRecipient[];
  variables: TemplateVariable[];
  templates: TemplateView[];
  triggers: TriggerView[];
  links: TriggerLinkView[];
  /** What could not be loaded, in the server's words. */
  errors: string[];
}

export function useComposeData(entity: Entity) {
  const { api, t } = useCtx();
  const capi = useMemo(() => composeApi(api.request), [api]);
  const [data, setData] = useState<ComposeData>({ mailboxes: null, contacts: [], variables: [], templates: [], triggers: [], links: [], errors: [] });

  useEffect(() => {
    let alive = true;
    const sources = [capi.mailboxes(), capi.recipients(entity.entityType, entity.entityId), capi.variables(), capi.templates(), capi.triggers(), capi.triggerLinks()] as const;
    void Promise.allSettled(sources).then(([m, r, v, tp, tr, l]) => {
      if (!alive) return;
      const errors = [m, r, v, tp, tr, l].filter((x): x is PromiseRejectedResult => x.status === 'rejected').map((x) => errorText(t, x.reason));
      const ok = <T,>(x: PromiseSettledResult<T>, empty: T): T => (x.status === 'fulfilled' ? x.value : empty);
      setData({
        mailboxes: ok(m, []),
        contacts: ok(r, []),
        variables: ok(v, []),
        templates: ok(tp, []),
        triggers: ok(tr, []),
        links: ok(l, []),
        errors: [...new Set(errors)],
      });
    });
    return () => {
      alive = false;
    };
  }, [capi, t, entity.entityType, entity.entityId]);

  const reloadTemplates = async () => {
    const templates = await capi.templates();
    setData((d) => ({ ...d, templates }));
  };
  return { data, capi, reloadTemplates };
}
