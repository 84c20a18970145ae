/** Queueing many mails fast in the queue tests. */
import { ACCOUNT_ID, type World } from '../support/world.js';
import { createTemplate } from '../support/send-helpers.js';
import { loadEntityData } from '../../server/modules/templates/entity-data.js';

/**
 * Queues n mails through EmailsService.sendSystem: the same persist-and-enqueue path as
 * POST /api/emails, with the lead read from Kommo once instead of once per mail (the account's
 * 7 requests/s would make 1,000 sends take minutes). Each mail is for its own entity id from
 * `base` on, so the per-entity automation cap holds none back. 8 at a time, as a busy API would.
 */
export async function queueMails(w: World, mailboxId: string, n: number, base: number): Promise<string[]> {
  const templateId = await createTemplate(w, w.user, { subject: 'Queued', html: '<p>queued</p>' });
  const data = await loadEntityData(await w.server.services.crmFor(ACCOUNT_ID), 'leads', w.crm.leadId);
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < n) {
        const i = next++;
        const r = await w.server.services.emails.sendSystem({ accountId: ACCOUNT_ID, templateId, entity: { type: 'leads', id: base + i }, source: 'pipeline', mailboxId, data });
        if (r.status !== 'queued') throw new Error(`not queued: ${JSON.stringify(r)}`);
        ids.push(r.emailId);
      }
    }),
  );
  return ids;
}
