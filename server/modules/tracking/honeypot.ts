/**
 * The honeypot: one extra tracked link in every tracked mail that no person can see or reach.
 * Link scanners (SafeLinks, Mimecast, Proofpoint, Barracuda…) follow every href in a message,
 * so a hit on it is proof of a machine, and marks the clicks around it as that machine's burst.
 *
 * Hidden three ways because clients differ: `display:none` (Gmail, Apple Mail, Outlook.com),
 * `mso-hide:all` (Outlook for Windows renders with Word and ignores display:none on most
 * elements), and no text at all, so even a client that shows it shows nothing to click.
 * `aria-hidden` + `tabindex="-1"` keep it away from screen readers and keyboard focus.
 * It goes first in the body: scanners that stop after N links still meet it.
 */
export function insertHoneypot(html: string, url: string): string {
  const trap =
    `<div aria-hidden="true" style="display:none !important;mso-hide:all;max-height:0;overflow:hidden;font-size:0;line-height:0">` +
    `<a href="${url}" tabindex="-1" aria-hidden="true" style="display:none !important;mso-hide:all;font-size:0;line-height:0;color:transparent;text-decoration:none"></a></div>`;
  const open = /<body\b[^>]*>/i.exec(html);
  if (!open) return trap + html;
  const at = open.index + open[0].length;
  return html.slice(0, at) + trap + html.slice(at);
}
