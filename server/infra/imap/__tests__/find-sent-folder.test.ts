// Folder lists as real servers return them (shapes of imapflow's ListResponse). Dovecot with
// SPECIAL-USE is covered against the real server in imapflow.store.test.ts.
import { findSentFolder, type FolderEntry } from '../find-sent-folder.js';

const folder = (path: string, extra: Partial<FolderEntry> = {}, delimiter = '/'): FolderEntry => ({
  path,
  name: path.split(delimiter).pop()!,
  delimiter,
  flags: new Set(),
  ...extra,
});

describe('findSentFolder', () => {
  it('prefers the folder the server marks \\Sent (RFC 6154), whatever its name', () => {
    const list = [
      folder('INBOX'),
      folder('Sent'),
      folder('[Gmail]', { flags: new Set(['\\Noselect']) }),
      folder('[Gmail]/Sent Mail', { specialUse: '\\Sent', specialUseSource: 'extension', flags: new Set(['\\Sent']) }),
    ];
    expect(findSentFolder(list)).toBe('[Gmail]/Sent Mail');
  });

  it.each([
    [['INBOX', 'Sent Items', 'Deleted Items'], '/', 'Sent Items'],
    [['INBOX', 'INBOX.Drafts', 'INBOX.Sent', 'INBOX.Trash'], '.', 'INBOX.Sent'],
    [['INBOX', 'Входящие', 'Отправленные', 'Удаленные'], '/', 'Отправленные'],
    [['INBOX', 'Enviados'], '/', 'Enviados'],
    [['INBOX', 'Gesendete Objekte'], '/', 'Gesendete Objekte'],
    [['INBOX', 'Sent Messages', 'Sent'], '/', 'Sent'],
  ])('falls back to a conventional name: %j', (paths, delimiter, expected) => {
    expect(findSentFolder(paths.map((p) => folder(p, {}, delimiter)))).toBe(expected);
  });

  it('ignores lookalikes nested in user folders and non-selectable ones', () => {
    const list = [folder('INBOX'), folder('Clients/Sent'), folder('Sent', { flags: new Set(['\\Noselect']) })];
    expect(findSentFolder(list)).toBeNull();
  });

  it("uses imapflow's name guess only as a last resort", () => {
    const list = [folder('INBOX'), folder('Lähetetyt kohteet', { specialUse: '\\Sent', specialUseSource: 'name' })];
    expect(findSentFolder(list)).toBe('Lähetetyt kohteet');
  });

  it('returns null when nothing looks like Sent', () => {
    expect(findSentFolder([folder('INBOX'), folder('Archive')])).toBeNull();
  });
});
