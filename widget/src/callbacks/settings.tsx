/** `settings($modal)`: the widget's settings modal shows the connection state; `onSave` accepts. */
import type { JQueryLike } from '../host/kommo-types.js';
import { Connection } from '../screens/settings/Connection.js';
import type { Runtime } from './runtime.js';

export function settingsCallback(rt: Runtime, $modal: JQueryLike | undefined): boolean {
  rt.host.loadStyles();
  const space = rt.host.settingsSpace($modal);
  if (!space) return true;
  let el = space.querySelector<HTMLElement>('.leadmail-settings');
  if (!el) {
    el = document.createElement('div');
    el.className = 'leadmail-root leadmail-settings';
    space.appendChild(el);
  }
  rt.mount(el, <Connection />);
  return true;
}
