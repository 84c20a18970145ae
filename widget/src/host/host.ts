/**
 * The only code that touches Kommo's globals (`self`, APP/AMOCRM, Modal, the widget token).
 * Everything else receives a Host: typed answers and plain callbacks.
 */
import Modal from 'lib/components/base/modal';
import type { EntityType } from '../../../shared/schemas/common.js';
import { createT, type T } from './i18n.js';
import type { JQueryLike, KommoApp, KommoSelf } from './kommo-types.js';
import { createTransport, type Transport } from './transport.js';

export type AreaKind = 'card' | 'list' | 'settings' | 'advanced_settings' | 'digital_pipeline' | 'other';

export interface Area {
  kind: AreaKind;
  /** The card's or list's entity type. */
  entityType: EntityType | null;
}

export interface DpField {
  value: string;
  write(token: string): void;
  /** A `leadmail-root` element right after the field, created once. */
  mountPoint: HTMLElement;
}

export interface ModalHandle {
  close(): void;
}

export interface Host {
  code: string;
  lang: string;
  t: T;
  request: Transport;
  area(): Area;
  /** The open card; null on a new, unsaved card (id 0) or outside cards. */
  card(): { entityType: EntityType; entityId: number } | null;
  /** `count`: Kommo's `count_selected` (when it gives one), which may exceed `ids` (Kommo pages a large selection). */
  selection(): { count: number; ids: number[] };
  notify(text: string): void;
  notifyError(text: string): void;
  /** A Kommo modal; `mount` renders into its body and returns the unmount. */
  openModal(className: string, mount: (el: HTMLElement, close: () => void) => () => void): ModalHandle;
  /** The right-panel box of a card (render_template), created once per render. */
  cardPanel(): HTMLElement;
  /** Advanced settings' work area. */
  workArea(): HTMLElement | null;
  /**
   * The DP block's settings field `name`, hidden (the picker replaces it): its stored value, a
   * `write` that stores a new one as Kommo's form expects, and an element beside it to render into.
   */
  dpField(name: string): DpField | null;
  /** The widget settings modal's space under the description (Kommo's `settings($modal)`). */
  settingsSpace($modal?: JQueryLike): HTMLElement | null;
  loadStyles(): void;
  /** The account's Kommo users (APP.constant('managers')), to name the owner of a mailbox. */
  users(): KommoUser[];
}

export interface KommoUser {
  id: number;
  name: string;
}

const AREAS: Record<string, Area> = {
  lcard: { kind: 'card', entityType: 'leads' },
  ccard: { kind: 'card', entityType: 'contacts' },
  comcard: { kind: 'card', entityType: 'companies' },
  llist: { kind: 'list', entityType: 'leads' },
  clist: { kind: 'list', entityType: 'contacts' },
  settings: { kind: 'settings', entityType: null },
  advanced_settings: { kind: 'advanced_settings', entityType: null },
  digital_pipeline: { kind: 'digital_pipeline', entityType: null },
};

function app(): KommoApp {
  const w = window as unknown as { APP?: KommoApp; AMOCRM?: KommoApp };
  return w.APP ?? w.AMOCRM ?? {};
}

export function createHost(self: KommoSelf, backendUrl: string): Host {
  const code = self.params.widget_code;
  const panelId = `leadmail-panel-${code}`;
  const t = createT(self.langs);
  return {
    code,
    lang: app().lang_id ?? 'en',
    t,
    request: createTransport(self, backendUrl),
    area: () => AREAS[self.system().area] ?? { kind: 'other', entityType: null },
    card() {
      const a = AREAS[self.system().area];
      const id = Number(app().data?.current_card?.id ?? 0);
      return a?.kind === 'card' && a.entityType && id > 0 ? { entityType: a.entityType, entityId: id } : null;
    },
    selection() {
      const s = self.list_selected?.() ?? { count_selected: 0, selected: [] };
      const ids = (s.selected ?? []).map((x) => Number(x.id));
      const count = Number(s.count_selected);
      return { count: Number.isFinite(count) && count > 0 ? count : ids.length, ids };
    },
    notify: (text) => app().notifications?.show_message?.({ header: t('widget.name'), text }),
    notifyError: (text) => app().notifications?.show_message_error?.({ header: t('widget.name'), text }),
    openModal(className, mount) {
      let unmount: (() => void) | null = null;
      const modal = new Modal({
        class_name: `leadmail-modal ${className}`,
        init($body: JQueryLike) {
          $body.trigger('modal:loaded').html('<div class="leadmail-root leadmail-modal__body"></div>');
          const el = $body.find('.leadmail-modal__body')[0];
          if (el) unmount = mount(el, () => modal.destroy());
          $body.trigger('modal:centrify');
        },
        destroy() {
          unmount?.();
          unmount = null;
          return true;
        },
      });
      return { close: () => modal.destroy() };
    },
    cardPanel() {
      let el = document.getElementById(panelId);
      if (!el) {
        self.render_template({ caption: { class_name: 'leadmail-caption' }, body: '', render: `<div class="leadmail-root leadmail-panel" id="${panelId}"></div>` });
        el = document.getElementById(panelId);
      }
      if (!el) throw new Error('leadmail: Kommo did not render the card panel');
      return el;
    },
    workArea: () => document.getElementById(`work-area-${code}`),
    dpField(name) {
      const field = document.querySelector<HTMLInputElement>(`.digital-pipeline__short-task_widget-style_${code} input[name="${name}"]`);
      if (!field) return null;
      // Kommo shows the raw input; the picker replaces it.
      field.type = 'hidden';
      let el = field.parentElement?.querySelector<HTMLElement>('.leadmail-dp-root') ?? null;
      if (!el) {
        el = document.createElement('div');
        el.className = 'leadmail-root leadmail-dp-root';
        field.insertAdjacentElement('afterend', el);
      }
      return {
        value: field.value,
        write(token) {
          field.value = token;
          // Kommo's DP form notices a changed field by its change event (then its "Done" stores it).
          field.dispatchEvent(new Event('change', { bubbles: true }));
        },
        mountPoint: el,
      };
    },
    settingsSpace: ($modal) => $modal?.find('.widget-settings__desc-space')[0] ?? document.querySelector<HTMLElement>('.widget-settings__desc-space'),
    loadStyles() {
      if (document.getElementById(`${code}-style`)) return;
      const link = document.createElement('link');
      link.id = `${code}-style`;
      link.rel = 'stylesheet';
      link.href = `${self.params.path}/style.css?v=${encodeURIComponent(self.get_version?.() ?? self.params.version ?? '')}`;
      document.head.appendChild(link);
    },
    users() {
      const managers = app().constant?.('managers');
      if (!managers || typeof managers !== 'object') return [];
      // Kommo keys them by id and names them in `title`; the dev page's fake carries `name`.
      return Object.values(managers as Record<string, { id?: unknown; title?: unknown; name?: unknown }>)
        .map((m) => ({ id: Number(m.id), name: String(m.title ?? m.name ?? '') }))
        .filter((u) => Number.isInteger(u.id) && u.id > 0 && u.name !== '')
        .sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}

/**
 * Puts `text` on the clipboard; true when it got there. Kommo pages are https, so
 * navigator.clipboard is there; where it is missing or refuses (an http sandbox page, a browser
 * policy), `field` — a read-only input holding the text — is selected and copied the old way,
 * and stays selected so the user can press Ctrl+C themselves when even that fails.
 */
export async function copyToClipboard(text: string, field?: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission, page not focused): the selected field below still works.
  }
  if (!field) return false;
  field.focus();
  field.select();
  try {
    // Deprecated but still the only synchronous copy outside secure contexts.
    return document.execCommand('copy');
  } catch {
    return false;
  }
}
