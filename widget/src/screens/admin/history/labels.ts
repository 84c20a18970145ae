/** Words of the history page shared by its parts: a mail's status (the card's words) and its events. */
import type { EmailListItem } from '../../../api/admin-history.js';
import { key, type I18nKey } from '../../../host/i18n.js';
import { MAIL_STATUS } from '../../card/status.js';

export const STATUS: Record<EmailListItem['status'], I18nKey> = MAIL_STATUS;

export const STATUSES = Object.keys(STATUS) as EmailListItem['status'][];

/** Events the backend records (emails module); any other type is shown as the backend names it. */
export const EVENT: Record<string, I18nKey> = {
  queued: key('admin_history.event.queued'),
  sending: key('admin_history.event.sending'),
  sent: key('admin_history.event.sent'),
  failed: key('admin_history.event.failed'),
  unknown: key('admin_history.event.unknown'),
  cancelled: key('admin_history.event.cancelled'),
  paused: key('admin_history.event.paused'),
  resumed: key('admin_history.event.resumed'),
  retry: key('admin_history.event.retry'),
  retry_scheduled: key('admin_history.event.retry'),
  resent: key('admin_history.event.resent'),
  resend_of: key('admin_history.event.resend_of'),
  mailbox_paused: key('admin_history.event.mailbox_paused'),
  saved_to_sent: key('admin_history.event.saved_to_sent'),
  already_in_sent: key('admin_history.event.saved_to_sent'),
  save_to_sent_failed: key('admin_history.event.save_to_sent_failed'),
  partially_sent: key('admin_history.event.partially_sent'),
  recipients_refused: key('admin_history.event.recipients_refused'),
  late_outcome: key('admin_history.event.late_outcome'),
  opened: key('admin_history.event.opened'),
  clicked: key('admin_history.event.clicked'),
};

/** The first recipient, and how many more: a row stays one line. */
export function recipientOf(m: { to: string[]; cc: string[] }): { first: string; more: number } {
  const all = [...m.to, ...m.cc];
  return { first: all[0] ?? '', more: Math.max(0, all.length - 1) };
}
