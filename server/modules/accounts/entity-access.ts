/**
 * Whether a widget user may see a CRM entity, by the user's Kommo rights (kommo-reference.md
 * "Users and roles"): the view right of the entity type is A (all), G (entities whose responsible
 * user is in the user's group), M (only entities the user is responsible for) or D (none); for
 * a lead, a stage right of its pipeline status replaces the general one. Kommo admins see all.
 * The widget hides what Kommo hides, but the API is reachable without the widget: preview, send
 * and history check here. Rights come from the account's user list (CRM metadata cache).
 */
import type { EntityType } from '../../../shared/schemas/common.js';
import type { AuthContext } from '../../http/auth.js';
import type { CrmClient, CrmRight, CrmUser } from '../../infra/crm/crm-client.js';
import { AppError, ErrorCode } from '../../errors.js';

const WORD: Record<EntityType, string> = { leads: 'lead', contacts: 'contact', companies: 'company' };

const forbidden = (message: string) => new AppError(ErrorCode.FORBIDDEN, message);

/** Throws FORBIDDEN (403) when Kommo would not show this entity to the calling user. */
export async function assertCanViewEntity(crm: CrmClient, auth: AuthContext, type: EntityType, id: number): Promise<void> {
  if (auth.isAdmin) return; // the widget token says so, signed by Kommo
  const users = await crm.listUsers();
  const me = users.find((u) => u.id === auth.userId);
  if (!me) throw forbidden(`your Kommo user ${auth.userId} is not a user of this Kommo account`);
  const rights = me.rights;
  if (!rights || rights.isAdmin) return;
  if (!rights.isActive) throw forbidden('your Kommo user is deactivated');
  const what = `${WORD[type]} ${id}`;

  // Only a lead's stage can change the level, so the entity is read only when it matters.
  const general = rights.view[type];
  if (general === 'A' && (type !== 'leads' || rights.statusView.length === 0)) return;
  const lead = type === 'leads' ? await crm.getLead(id) : null;
  const entity = type === 'leads' ? lead : type === 'contacts' ? await crm.getContact(id) : await crm.getCompany(id);
  if (!entity) return; // the caller answers 404 for an entity that does not exist
  const stage = lead ? rights.statusView.find((s) => s.pipelineId === lead.pipeline_id && s.statusId === lead.status_id) : undefined;
  const level: CrmRight = stage?.view ?? general;
  if (canSee(level, me, entity.responsible_user_id, users)) return;
  throw forbidden(
    level === 'D'
      ? `your Kommo rights do not allow viewing ${type}: ${what} is not available to you`
      : `your Kommo rights allow only ${type} ${level === 'M' ? 'you are responsible for' : 'of your user group'}: ${what} is not available to you`,
  );
}

/**
 * The same decision on an entity already read (a mailing reads 250 at a time with the user list):
 * no request of its own. False also for a user unknown to the account or deactivated.
 */
export function canViewLoaded(
  users: CrmUser[],
  userId: number,
  type: EntityType,
  entity: { responsible_user_id: number; pipeline_id?: number; status_id?: number },
): boolean {
  const me = users.find((u) => u.id === userId);
  if (!me) return false;
  const rights = me.rights;
  if (!rights || rights.isAdmin) return true;
  if (!rights.isActive) return false;
  const stage = type === 'leads' ? rights.statusView.find((s) => s.pipelineId === entity.pipeline_id && s.statusId === entity.status_id) : undefined;
  return canSee(stage?.view ?? rights.view[type], me, entity.responsible_user_id, users);
}

function canSee(level: CrmRight, me: CrmUser, responsibleId: number, users: CrmUser[]): boolean {
  if (level === 'A') return true;
  if (level === 'D') return false;
  if (responsibleId === me.id) return true;
  if (level === 'M') return false;
  const group = me.rights?.groupId ?? null;
  const theirs = users.find((u) => u.id === responsibleId)?.rights?.groupId ?? null;
  return group !== null && group === theirs;
}
