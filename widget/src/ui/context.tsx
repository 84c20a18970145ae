/** What every screen receives: strings, the API and the host's few UI services, never Kommo itself. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from '../api/client.js';
import type { KommoUser } from '../host/host.js';
import type { T } from '../host/i18n.js';
import type { EntityType } from '../../../shared/schemas/common.js';

export interface Entity {
  entityType: EntityType;
  entityId: number;
}

export interface WidgetCtx {
  t: T;
  api: Api;
  lang: string;
  notify(text: string): void;
  notifyError(text: string): void;
  /** Opens compose for an entity; `onSent` runs after a mail is accepted. */
  openCompose(entity: Entity, onSent: () => void): void;
  /** The account's Kommo users with their names (Kommo gives them to the widget). */
  users(): KommoUser[];
}

export const Ctx = createContext<WidgetCtx | null>(null);

export function useCtx(): WidgetCtx {
  const c = useContext(Ctx);
  if (!c) throw new Error('leadmail: screen rendered outside its context');
  return c;
}
