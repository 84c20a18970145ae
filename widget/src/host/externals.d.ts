/** Kommo's AMD modules, left external by the bundle (widget/build/build.ts) and given by the host. */
declare module 'lib/components/base/modal' {
  import type { KommoModalCtor } from './kommo-types.js';
  const Modal: KommoModalCtor;
  export default Modal;
}

/** The backend's origin, baked in at build time from WIDGET_BACKEND_URL. */
declare const __LEADMAIL_BACKEND__: string;
