/** A mail's status in words: the card panel's, and the history page's too. */
import type { EmailView } from '../../api/client.js';
import { key, type I18nKey } from '../../host/i18n.js';

export const MAIL_STATUS: Record<EmailView['status'], I18nKey> = {
  queued: key('card.status.queued'),
  sending: key('card.status.sending'),
  sent: key('card.status.sent'),
  failed: key('card.status.failed'),
  cancelled: key('card.status.cancelled'),
  unknown: key('card.status.unknown'),
};
