import { AccountSettings } from '../../../shared/schemas/account.js';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import { assertAdmin } from '../../http/auth.js';
import type { Db, Queryable } from '../../infra/db/db.js';
import { notFound } from '../../errors.js';

async function readSettings(db: Queryable, accountId: number): Promise<AccountSettings> {
  const r = await db.query<{ same_template_per_day: number }>('SELECT same_template_per_day FROM accounts WHERE id = $1', [accountId]);
  if (!r.rows[0]) throw notFound('account');
  return { sameTemplatePerDay: r.rows[0].same_template_per_day };
}

export function registerAccountSettingsRoutes(api: Api, db: Db): void {
  const tag = 'account';
  route(api, { method: 'get', path: '/api/account/settings', summary: 'Account-wide automation settings', tag, auth: 'widget', response: AccountSettings }, ({ auth }) =>
    readSettings(db, auth.accountId),
  );
  route(
    api,
    { method: 'put', path: '/api/account/settings', summary: 'Admin: change account-wide automation settings (e.g. the same-template-per-day cap)', tag, auth: 'widget', body: AccountSettings, response: AccountSettings },
    async ({ auth, body }) => {
      assertAdmin(auth, 'change the account settings');
      await db.query('UPDATE accounts SET same_template_per_day = $2, updated_at = now() WHERE id = $1', [auth.accountId, body.sameTemplatePerDay]);
      return readSettings(db, auth.accountId);
    },
  );
}
