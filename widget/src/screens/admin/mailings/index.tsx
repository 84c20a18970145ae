/**
 * Advanced settings → mailings and queue: every mailing (the account's for an administrator, the
 * user's own otherwise; the server decides) with live progress, rate, ETA and pause/resume/cancel;
 * a mailing's detail with its recipients, skips and failures by reason, stats, CSV export and the
 * reminder to non-responders; below the list, the single emails waiting in the queue.
 */
import { useState } from 'preact/hooks';
import { QueuedMails } from '../history/QueuedMails.js';
import { MailingDetail } from './MailingDetail.js';
import { MailingList } from './MailingList.js';

export function MailingsPage() {
  const [open, setOpen] = useState<string | null>(null);
  // Kept here so "back" from a detail returns to the same page of the list.
  const [page, setPage] = useState(1);
  if (open) return <MailingDetail key={open} id={open} back={() => setOpen(null)} onFollow={setOpen} />;
  return (
    <div class="leadmail-admin-page__body leadmail-admin-mailings">
      <MailingList page={page} onPage={setPage} onOpen={setOpen} />
      <div class="leadmail-admin-mailings__singles">
        <QueuedMails />
      </div>
    </div>
  );
}
