/** The variables of this account (GET /api/template-variables), grouped and searchable; a pick inserts `{{key}}`. */
import { useState } from 'preact/hooks';
import type { TemplateVariable } from '../api/compose.js';
import { key, type I18nKey } from '../host/i18n.js';
import { useCtx } from './context.js';
import { Dropdown } from './dropdown.js';

const GROUPS: Record<string, I18nKey> = {
  lead: key('compose.group.lead'),
  contact: key('compose.group.contact'),
  company: key('compose.group.company'),
  responsible: key('compose.group.responsible'),
  sender: key('compose.group.sender'),
  date: key('compose.group.date'),
};

export function VariablePicker({ variables, onPick }: { variables: TemplateVariable[]; onPick(token: string): void }) {
  const { t } = useCtx();
  const [q, setQ] = useState('');
  const needle = q.trim().toLowerCase();
  const shown = variables.filter((v) => !needle || v.key.toLowerCase().includes(needle) || v.label.toLowerCase().includes(needle));
  const groups = [...new Set(shown.map((v) => v.group))];
  return (
    <Dropdown label="{{ }}" title={t('compose.variables')} class="leadmail-variables">
      {(close) => (
        <div class="leadmail-variables__menu">
          <input class="leadmail-input leadmail-variables__search" placeholder={t('compose.search_variable')} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          {shown.length === 0 && <div class="leadmail-muted leadmail-variables__none">{t('compose.no_variables')}</div>}
          {groups.map((g) => (
            <div key={g} class="leadmail-variables__group">
              <div class="leadmail-variables__group-title">{GROUPS[g] ? t(GROUPS[g]) : g}</div>
              {shown
                .filter((v) => v.group === g)
                .map((v) => (
                  <button
                    type="button"
                    key={v.key}
                    class="leadmail-variables__item"
                    data-key={v.key}
                    onMouseDown={(e) => e.preventDefault()}
                    onClick={() => {
                      onPick(`{{${v.key}}}`);
                      close();
                    }}
                  >
                    <span>{v.label}</span> <code>{`{{${v.key}}}`}</code>
                  </button>
                ))}
            </div>
          ))}
        </div>
      )}
    </Dropdown>
  );
}
