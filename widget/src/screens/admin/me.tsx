/** Who uses the admin pages: admin-only parts are hidden from users (the server refuses them anyway). */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { MeView } from '../../../../shared/schemas/account.js';

export type { MeView };

export const MeCtx = createContext<MeView | null>(null);

export function useMe(): MeView {
  const me = useContext(MeCtx);
  if (!me) throw new Error('leadmail: admin page rendered before the user was known');
  return me;
}
