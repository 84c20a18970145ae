/**
 * The attachment name of a downloaded file: Content-Disposition first (RFC 6266; `filename*`
 * with RFC 8187 encoding wins over `filename`), else the last segment of the URL path.
 * Names are reduced to a bare file name: they end up in our MIME parts and must not carry
 * paths or control characters.
 */

const MAX_NAME = 200;

export function sanitizeFilename(raw: string): string | null {
  const base = raw.replace(/\\/g, '/').split('/').pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().replace(/^\.+/, '').trim();
  if (clean === '') return null;
  if (clean.length <= MAX_NAME) return clean;
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : '';
  return clean.slice(0, MAX_NAME - ext.length) + ext;
}

function decodeExtValue(charset: string, encoded: string): string | null {
  try {
    if (/^utf-?8$/i.test(charset)) return decodeURIComponent(encoded);
    // ISO-8859-1 (the only other charset RFC 8187 requires): percent-escapes are single bytes.
    const bytes = encoded.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return /^(iso-8859-1|latin1|)$/i.test(charset) ? bytes : null;
  } catch {
    return null;
  }
}

/**
 * Node hands header values over as latin1, so a server that (against the RFC) sends raw UTF-8
 * in filename="…" yields mojibake; re-read it as UTF-8 when that is valid.
 */
function repairUtf8(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0080-\u00ff]/.test(s) || /[^\u0000-\u00ff]/.test(s)) return s;
  const again = Buffer.from(s, 'latin1').toString('utf8');
  return again.includes('\ufffd') ? s : again;
}

export function filenameFromContentDisposition(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const ext = /(?:^|;)\s*filename\*\s*=\s*"?([a-z0-9-]*)'[^']*'([^;"\s]*)"?/i.exec(value);
  if (ext) {
    const decoded = decodeExtValue(ext[1]!, ext[2]!);
    const name = decoded === null ? null : sanitizeFilename(decoded);
    if (name) return name;
  }
  const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:\\.|[^"\\])*)"|([^;]*))/i.exec(value);
  if (!plain) return null;
  const raw = plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : (plain[2] ?? '').trim();
  return sanitizeFilename(repairUtf8(raw));
}

export function filenameFromUrl(url: URL): string {
  const segment = url.pathname.split('/').filter(Boolean).pop() ?? '';
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // keep the raw segment: a stray "%" is still a usable name
  }
  return sanitizeFilename(decoded) ?? 'download';
}
