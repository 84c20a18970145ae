/** `render`: the card panel in card areas; elsewhere nothing to draw yet (Kommo needs `true`). */
import { CardPanel } from '../screens/card/CardPanel.js';
import type { Runtime } from './runtime.js';

export function renderCallback(rt: Runtime): boolean {
  rt.host.loadStyles();
  const card = rt.host.card();
  if (card) rt.mount(rt.host.cardPanel(), <CardPanel entity={card} />);
  return true;
}
