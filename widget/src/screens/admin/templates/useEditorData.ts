/** What the editor needs besides the template: variables, triggers and trigger links; one failing does not hide the others. */
import { useMemo } from 'preact/hooks';
import { templatesApi, type TemplateVariable, type TemplateView, type TriggerLinkView, type TriggerView } from '../../../api/admin-templates.js';
import { useCtx } from '../../../ui/context.js';
import { errorText } from '../../../ui/errors.js';
import { useLoad } from '../../../ui/use-load.js';

export interface EditorData {
  template: TemplateView | null;
  variables: TemplateVariable[];
  triggers: TriggerView[];
  links: TriggerLinkView[];
  /** What could not be loaded besides the template, in the server's words. */
  errors: string[];
}

export function useEditorData(id: string | null) {
  const { api, t } = useCtx();
  const tapi = useMemo(() => templatesApi(api.request), [api]);
  const loaded = useLoad(async (): Promise<EditorData> => {
    // The template itself must load (its error is the page's); the rest may fail one by one.
    const template = id ? await tapi.get(id) : null;
    const [v, tr, l] = await Promise.allSettled([tapi.variables(), tapi.triggers(), tapi.triggerLinks()]);
    const ok = <T,>(x: PromiseSettledResult<T>, empty: T): T => (x.status === 'fulfilled' ? x.value : empty);
    const errors = [v, tr, l].filter((x): x is PromiseRejectedResult => x.status === 'rejected').map((x) => errorText(t, x.reason));
    return { template, variables: ok(v, []), triggers: ok(tr, []), links: ok(l, []), errors: [...new Set(errors)] };
  }, [tapi, id]);
  return { tapi, loaded };
}
