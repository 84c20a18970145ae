/**
 * The signed token of a pipeline action: `<actionId>.<accountId>.<hmac>` (kommo-widget.md §3).
 * Kommo does not sign its digital-pipeline webhook, so this token, written by the widget into the
 * action's `action` setting, is the only thing in the payload we trust: it names a row we issued,
 * for one account. The HMAC covers both ids, so a token cannot be moved to another account, and
 * the key is the SecretBox's signing key (HKDF of ENCRYPTION_KEY, never the encryption key).
 */
import type { SecretBox } from '../../infra/crypto/secret-box.js';

const PURPOSE = 'dp-action:v1';

export interface ActionTokenClaims {
  actionId: string;
  accountId: number;
}

export function actionToken(box: SecretBox, actionId: string, accountId: number): string {
  return `${actionId}.${accountId}.${box.sign(PURPOSE, `${actionId}.${accountId}`)}`;
}

/** The claims of a well-formed token with a valid signature, else null (no hint which part failed). */
export function verifyActionToken(box: SecretBox, token: string): ActionTokenClaims | null {
  const m = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([1-9]\d{0,14})\.([A-Za-z0-9_-]{22})$/.exec(token.trim());
  if (!m) return null;
  const [, actionId, account, sig] = m as unknown as [string, string, string, string];
  if (!box.verify(PURPOSE, `${actionId}.${account}`, sig)) return null;
  return { actionId, accountId: Number(account) };
}
