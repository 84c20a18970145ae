/**
 * The AMD entry (wrapped in define([...Kommo modules]) by widget/build/build.ts): the widget
 * constructor and its callback table. Kommo injects its methods into the prototype and calls
 * `new`, so this is a plain function, not a class (kommo-widget.md §2).
 */
import { advancedSettingsCallback, dpSettingsCallback, listSelectedCallback } from './callbacks/areas.js';
import { renderCallback } from './callbacks/render.js';
import { createRuntime } from './callbacks/runtime.js';
import { settingsCallback } from './callbacks/settings.js';
import type { JQueryLike, KommoSelf } from './host/kommo-types.js';

function LeadmailWidget(this: KommoSelf): KommoSelf {
  const rt = createRuntime(this);
  this.callbacks = {
    render: () => renderCallback(rt),
    init: () => true,
    bind_actions: () => true,
    settings: ($modal?: JQueryLike) => settingsCallback(rt, $modal),
    onSave: () => true,
    destroy: () => {
      rt.unmountAll();
      return true;
    },
    advancedSettings: () => advancedSettingsCallback(rt),
    dpSettings: () => dpSettingsCallback(rt),
    leads: { selected: () => listSelectedCallback(rt, 'leads') },
    contacts: { selected: () => listSelectedCallback(rt, 'contacts') },
  };
  return this;
}

export default LeadmailWidget;
