/**
 * Trigger links (seed 004) offered in an editor's toolbar (compose and the template editor): a pick
 * inserts a button whose href is the link's variable.
 */
import { useCtx } from './context.js';
import { Dropdown } from './dropdown.js';
import { escapeAttr, type EditorHandle } from './html-editor.js';

const BUTTON_STYLE = 'display:inline-block;padding:10px 20px;background:#4c8bf7;color:#ffffff;border-radius:4px;text-decoration:none';

export interface TriggerLinkItem {
  id: number;
  name: string;
  variable: string;
}

export function TriggerLinkTool({ links, editor }: { links: TriggerLinkItem[]; editor: { current: EditorHandle | null } }) {
  const { t } = useCtx();
  if (links.length === 0) return null;
  return (
    <Dropdown label={`⚡ ${t('compose.trigger_link')}`} title={t('compose.trigger_link_hint')} class="leadmail-triggerlinks">
      {(done) =>
        links.map((l) => (
          <button
            type="button"
            key={l.id}
            class="leadmail-variables__item leadmail-triggerlinks__item"
            data-link-id={l.id}
            onClick={() => {
              editor.current?.insertHtml(`<a href="${escapeAttr(l.variable)}" style="${BUTTON_STYLE}">${escapeAttr(l.name)}</a>&nbsp;`);
              done();
            }}
          >
            <span>{l.name}</span> <code>{l.variable}</code>
          </button>
        ))
      }
    </Dropdown>
  );
}
