/**
 * The parts of Kommo's widget runtime leadmail uses (kommo-widget.md §2). Only host/ reads these;
 * screens get plain typed data and callbacks.
 */

/** What `$authorizedAjax` returns: a jqXHR-like thenable (jQuery 2 Deferred). */
export interface JqXhr {
  done(cb: (data: unknown, status: string, xhr: JqXhr) => void): JqXhr;
  fail(cb: (xhr: JqXhr, status: string, error: string) => void): JqXhr;
  status: number;
  responseJSON?: unknown;
  responseText?: string;
}

export interface AjaxOptions {
  url: string;
  type: string;
  data?: unknown;
  contentType?: string | false;
  processData?: boolean;
  dataType?: string;
  headers?: Record<string, string>;
  xhr?: () => XMLHttpRequest;
}

export interface KommoSystem {
  area: string;
  amouser_id: number | string;
  subdomain: string;
  domain?: string;
}

export interface KommoListSelection {
  count_selected: number;
  selected: { id: number; type: string; emails?: string[]; phones?: string[] }[];
}

/** `this` inside the widget constructor: Kommo injects these into its prototype. */
export interface KommoSelf {
  params: { widget_code: string; path: string; version?: string; custom?: string; [k: string]: unknown };
  langs?: Record<string, unknown>;
  system(): KommoSystem;
  i18n(key: string): unknown;
  get_settings?(): Record<string, unknown>;
  get_version?(): string;
  list_selected?(): KommoListSelection;
  render_template(opts: { caption: { class_name: string }; body: string; render: string }): void;
  $authorizedAjax(opts: AjaxOptions): JqXhr;
  set_status?(status: 'install' | 'installed' | 'error'): void;
  callbacks?: unknown;
}

export interface KommoModalOptions {
  class_name: string;
  init($body: JQueryLike): void;
  destroy(): boolean | void;
}

export interface KommoModal {
  destroy(): void;
}

export type KommoModalCtor = new (opts?: KommoModalOptions) => KommoModal & {
  showSuccess?(msg: string, reload?: boolean, ms?: number): void;
  showError?(msg: string, reload?: boolean): void;
};

/** The few jQuery methods used on Kommo-provided elements. */
export interface JQueryLike {
  [index: number]: HTMLElement;
  length: number;
  trigger(event: string): JQueryLike;
  html(html: string): JQueryLike;
  find(selector: string): JQueryLike;
}

export interface KommoApp {
  lang_id?: string;
  data?: { current_card?: { id: number; element_type?: number | string } };
  constant?(name: string): unknown;
  getWidgetsArea?(): string;
  notifications?: {
    show_message?(m: { header: string; text: string }): void;
    show_message_error?(m: { header: string; text: string }): void;
  };
}
