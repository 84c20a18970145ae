/**
 * The sender's HTML signature, appended to the rendered body. The signature is the user's own
 * HTML (written in the mailbox settings), so it goes in raw and is NOT run through Handlebars:
 * a `{{` in someone's signature must not become template syntax. Templates may switch it off
 * ("Disable standard signature", seed 004: useful for mass mailings).
 */

const BODY_CLOSE = /<\/body\s*>/gi;

export function applySignature(html: string, signatureHtml: string | null, disabled: boolean): string {
  if (disabled || !signatureHtml || signatureHtml.trim() === '') return html;
  const block = `<div class="leadmail-signature">${signatureHtml}</div>`;
  // The LAST </body>: an earlier one could sit inside a quoted message or a comment.
  let lastClose = -1;
  BODY_CLOSE.lastIndex = 0;
  for (let m = BODY_CLOSE.exec(html); m; m = BODY_CLOSE.exec(html)) lastClose = m.index;
  if (lastClose === -1) return `${html}\n${block}`;
  return `${html.slice(0, lastClose)}${block}\n${html.slice(lastClose)}`;
}
