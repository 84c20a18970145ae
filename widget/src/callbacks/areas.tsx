/** The list action, the advanced settings page and the pipeline block: each mounts its screen. */
import type { EntityType } from '../../../shared/schemas/common.js';
import { Admin } from '../screens/admin/index.js';
import { ListAction } from '../screens/list-action/index.js';
import { PipelinePicker } from '../screens/pipeline/index.js';
import type { Runtime } from './runtime.js';

export function listSelectedCallback(rt: Runtime, entityType: EntityType): boolean {
  rt.host.loadStyles();
  const { count, ids } = rt.host.selection();
  rt.host.openModal('leadmail-modal--list', (el, close) => rt.mount(el, <ListAction entityType={entityType} ids={ids} selectedCount={count} close={close} />));
  return true;
}

export function advancedSettingsCallback(rt: Runtime): boolean {
  rt.host.loadStyles();
  const area = rt.host.workArea();
  if (!area) return true;
  let el = area.querySelector<HTMLElement>('.leadmail-admin-root');
  if (!el) {
    el = document.createElement('div');
    el.className = 'leadmail-root leadmail-admin-root';
    area.appendChild(el);
  }
  rt.mount(el, <Admin />);
  return true;
}

export function dpSettingsCallback(rt: Runtime): boolean {
  rt.host.loadStyles();
  const field = rt.host.dpField('action');
  if (!field) return true;
  // The picker replaces Kommo's input and writes the signed token back through the host.
  rt.mount(field.mountPoint, <PipelinePicker value={field.value} onChange={(token) => field.write(token)} />);
  return true;
}
