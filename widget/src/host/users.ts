/**
 * The account's users as Kommo gives them to every widget (`APP.constant('managers')`, keyed by
 * id; Kommo names a user by `title`, the sandbox page by `name`). The templates page shows and
 * picks owners from it without asking the backend to call Kommo.
 */
import type { KommoApp } from './kommo-types.js';

export interface KommoUser {
  id: number;
  name: string;
}

export function kommoUsers(): KommoUser[] {
  const w = window as unknown as { APP?: KommoApp; AMOCRM?: KommoApp };
  const managers = (w.APP ?? w.AMOCRM)?.constant?.('managers');
  if (!managers || typeof managers !== 'object') return [];
  return Object.values(managers as Record<string, { id?: unknown; title?: unknown; name?: unknown }>)
    .map((m) => ({ id: Number(m.id), name: String(m.title ?? m.name ?? m.id) }))
    .filter((u) => Number.isInteger(u.id) && u.id > 0)
    .sort((a, b) => a.name.localeCompare(b.name));
}
