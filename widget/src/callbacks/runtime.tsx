/**
 * State shared by the callbacks of one widget instance: the host, the API, and what is mounted
 * (Kommo calls `destroy` on every area change; everything mounted is unmounted then).
 */
import { render, type ComponentChildren } from 'preact';
import { createApi } from '../api/client.js';
import { createHost, type Host } from '../host/host.js';
import type { KommoSelf } from '../host/kommo-types.js';
import { Ctx, type Entity, type WidgetCtx } from '../ui/context.js';
import { Compose } from '../screens/compose/index.js';

export interface Runtime {
  host: Host;
  ctx: WidgetCtx;
  /** Renders `node` into `el` inside the widget context; unmounted by `unmountAll`. */
  mount(el: HTMLElement, node: ComponentChildren): () => void;
  unmountAll(): void;
}

export function createRuntime(self: KommoSelf): Runtime {
  const host = createHost(self, __LEADMAIL_BACKEND__);
  const mounted = new Set<HTMLElement>();
  const api = createApi(host.request);
  const runtime: Runtime = {
    host,
    ctx: {
      t: host.t,
      api,
      lang: host.lang,
      notify: host.notify,
      notifyError: host.notifyError,
      openCompose: (entity: Entity, onSent: () => void) => {
        host.openModal('leadmail-modal--compose', (el, close) => runtime.mount(el, <Compose entity={entity} onSent={onSent} close={close} />));
      },
      users: host.users,
    },
    mount(el, node) {
      render(<Ctx.Provider value={runtime.ctx}>{node}</Ctx.Provider>, el);
      mounted.add(el);
      return () => {
        if (!mounted.delete(el)) return;
        render(null, el);
      };
    },
    unmountAll() {
      for (const el of mounted) render(null, el);
      mounted.clear();
    },
  };
  return runtime;
}
