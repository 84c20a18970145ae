/**
 * Who a mail from a lead, contact or company can go to: the entity's contacts with their valid
 * addresses, main contact first — the same contacts and the same address rule (contactEmails)
 * the send path accepts in `contactIds`, so the compose form offers exactly what a send takes.
 */
import type { EntityType } from '../../../shared/schemas/common.js';
import type { EntityRecipient } from '../../../shared/schemas/recipients.js';
import type { AuthContext } from '../../http/auth.js';
import type { CrmClient, CrmContact } from '../../infra/crm/crm-client.js';
import { notFound } from '../../errors.js';
import { assertCanViewEntity } from '../accounts/entity-access.js';
import { contactEmails } from '../templates/entity-data.js';

/** As many as the send path reads (templates/entity-data.ts). */
const MAX_CONTACTS = 50;

export async function entityRecipients(crm: CrmClient, auth: AuthContext, type: EntityType, id: number): Promise<EntityRecipient[]> {
  await assertCanViewEntity(crm, auth, type, id);
  let links: { id: number; isMain: boolean }[];
  if (type === 'leads') {
    const lead = await crm.getLead(id);
    if (!lead) throw notFound(`lead ${id}`);
    links = [...lead.contacts].sort((a, b) => Number(b.is_main) - Number(a.is_main)).map((c) => ({ id: c.id, isMain: c.is_main }));
  } else if (type === 'contacts') {
    if (!(await crm.getContact(id))) throw notFound(`contact ${id}`);
    links = [{ id, isMain: true }];
  } else {
    const company = await crm.getCompany(id);
    if (!company) throw notFound(`company ${id}`);
    links = company.contacts.map((c, i) => ({ id: c.id, isMain: i === 0 }));
  }
  const contacts = await Promise.all(links.slice(0, MAX_CONTACTS).map((l) => crm.getContact(l.id)));
  return contacts
    .map((c, i): EntityRecipient | null => (c ? view(c, links[i]!.isMain) : null))
    .filter((r): r is EntityRecipient => r !== null);
}

const view = (c: CrmContact, isMain: boolean): EntityRecipient => ({ contactId: c.id, name: c.name, isMain, emails: contactEmails(c) });
