/**
 * Advanced settings → Signature and limits (issue 9): every user's own signature, and for
 * administrators the account-wide limits (hidden from users; the server refuses them anyway).
 */
import { useMe } from '../me.js';
import { LimitsSection } from './LimitsSection.js';
import { SignatureSection } from './SignatureSection.js';

export function PrefsPage() {
  const me = useMe();
  return (
    <div class="leadmail-admin-page__body leadmail-prefs">
      <SignatureSection />
      {me.isAdmin && <LimitsSection />}
    </div>
  );
}
