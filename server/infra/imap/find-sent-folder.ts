/**
 * Picks the folder sent mail belongs in. RFC 6154 SPECIAL-USE `\Sent` is the answer when the
 * server gives one (Dovecot, Gmail's "[Gmail]/Sent Mail", Outlook's "Sent Items"); older or
 * minimal servers (many hosting panels, Courier) only have a conventional name, often under
 * INBOX with "." as separator, and often localised.
 */

/** The parts of imapflow's ListResponse this needs (kept structural so it is easy to test). */
export interface FolderEntry {
  path: string;
  name: string;
  delimiter?: string;
  flags?: Set<string>;
  specialUse?: string;
  /** imapflow: 'extension' = the server said so; 'name' = imapflow guessed from the name. */
  specialUseSource?: 'user' | 'extension' | 'name';
}

// Names seen in the wild, in order of preference. Compared case-insensitively with the last
// path segment of a top-level folder or a child of INBOX / [Gmail] / [Google Mail].
const SENT_NAMES = [
  'Sent',
  'Sent Items',
  'Sent Messages',
  'Sent Mail',
  'Sent-Mail',
  'Отправленные',
  'Отправленные элементы',
  'Надіслані',
  'Enviados',
  'Elementos enviados',
  'Itens enviados',
  'Enviadas',
  'Gesendet',
  'Gesendete Elemente',
  'Gesendete Objekte',
  'Envoyés',
  'Éléments envoyés',
  'Inviati',
  'Posta inviata',
  'Verzonden',
  'Verzonden items',
  'Wysłane',
  'Odeslané',
  'Skickat',
  'Skickade objekt',
  'Sendt',
  'Sendte elementer',
  'Lähetetyt',
  'Gönderilenler',
].map(fold);
const CONTAINERS = new Set(['', 'inbox', '[gmail]', '[google mail]']);

export function findSentFolder(entries: FolderEntry[]): string | null {
  const selectable = entries.filter((e) => !e.flags?.has('\\Noselect') && !e.flags?.has('\\NonExistent'));
  const isSent = (e: FolderEntry): boolean => e.specialUse === '\\Sent' || !!e.flags?.has('\\Sent');

  const announced = selectable.find((e) => isSent(e) && e.specialUseSource !== 'name');
  if (announced) return announced.path;

  let best: { path: string; rank: number } | null = null;
  for (const e of selectable) {
    const segments = e.delimiter ? e.path.split(e.delimiter) : [e.path];
    const leaf = fold(segments[segments.length - 1] ?? e.name);
    const parent = fold(segments.slice(0, -1).join('/'));
    const rank = SENT_NAMES.indexOf(leaf);
    if (rank >= 0 && CONTAINERS.has(parent) && (!best || rank < best.rank)) best = { path: e.path, rank };
  }
  if (best) return best.path;

  // Last resort: imapflow's own (much longer) table of localised names.
  return selectable.find(isSent)?.path ?? null;
}

function fold(s: string): string {
  return s.normalize('NFC').toLowerCase().trim();
}
