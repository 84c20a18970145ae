/**
 * Advanced settings → templates (issue 9, seed 004 "Use of email templates"): the list (owner,
 * public flag, search on the server) and, for one template, the editor with its files, trigger
 * points, preview for a real lead and the dry run drawn as a timeline.
 */
import { useState } from 'preact/hooks';
import { TemplateEditor } from './Editor.js';
import { TemplateList } from './List.js';

/** `new` for a template not saved yet. */
type Open = { id: string } | 'new' | null;

export function TemplatesPage() {
  const [open, setOpen] = useState<Open>(null);
  // The list remembers its search and page while a template is open.
  const [listState, setListState] = useState({ q: '', page: 1 });
  return (
    <div class="leadmail-admin-page__body leadmail-tpl">
      {open === null ? (
        <TemplateList state={listState} onState={setListState} onOpen={(id) => setOpen(id ? { id } : 'new')} />
      ) : (
        <TemplateEditor
          key={open === 'new' ? 'new' : open.id}
          id={open === 'new' ? null : open.id}
          onSaved={(id) => setOpen({ id })}
          onClose={() => setOpen(null)}
        />
      )}
    </div>
  );
}
