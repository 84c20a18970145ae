/**
 * Hands text the widget fetched (with its token) to the browser as a file to save: an object URL
 * and a clicked <a download>, which every browser Kommo supports. The URL is revoked once the
 * browser has taken the file.
 */
export function saveFile(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started from the click; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
