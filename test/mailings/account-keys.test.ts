/**
 * A mailing and its recipient rows cannot point at another account's template, mailbox,
 * mailing or mail: the database refuses it (composite foreign keys), whatever the code checks.
 */
import crypto from 'node:crypto';
import { startWorld, ACCOUNT_ID, type World } from '../support/world.js';

let w: World;
const OTHER = 2003;
const db = () => w.server.services.db;
const FK = /violates foreign key constraint/;
const theirs = { template: crypto.randomUUID(), mailbox: crypto.randomUUID(), mailing: crypto.randomUUID(), email: crypto.randomUUID() };
const mine = { mailbox: crypto.randomUUID(), mailing: crypto.randomUUID() };

async function mailbox(id: string, account: number): Promise<void> {
  await db().query(
    `INSERT INTO mailboxes (id, account_id, owner_user_id, display_name, from_name, from_address, smtp_host, smtp_port, smtp_security, smtp_auth)
     VALUES ($1, $2, 1, 'm', 'm', 'm@x.example', '127.0.0.1', 25, 'none', false)`,
    [id, account],
  );
}
const mailing = (id: string, account: number, cols: Record<string, string | null> = {}) =>
  db().query(
    `INSERT INTO mailings (id, account_id, user_id, entity_type, entity_ids, recipients, status, template_id, mailbox_id, parent_mailing_id)
     VALUES ($1, $2, 1, 'leads', '{1}', '{"mode":"main","onePerEntity":false}', 'queued', $3, $4, $5)`,
    [id, account, cols.template ?? null, cols.mailbox ?? null, cols.parent ?? null],
  );

beforeAll(async () => {
  w = await startWorld();
  await db().query("INSERT INTO accounts (id, subdomain) VALUES ($1, 'other3')", [OTHER]);
  await db().query("INSERT INTO templates (id, account_id, owner_user_id, name, subject, body_html) VALUES ($1, $2, 1, 't', 's', '<p>x</p>')", [theirs.template, OTHER]);
  await mailbox(theirs.mailbox, OTHER);
  await mailbox(mine.mailbox, ACCOUNT_ID);
  await mailing(theirs.mailing, OTHER);
  await mailing(mine.mailing, ACCOUNT_ID, { mailbox: mine.mailbox });
  await db().query(
    `INSERT INTO emails (id, account_id, user_id, mailbox_id, entity_type, entity_id, subject, body_html, to_addresses, message_id, status)
     VALUES ($1, $2, 1, $3, 'leads', 1, 's', '<p>x</p>', '[]', $4, 'cancelled')`,
    [theirs.email, OTHER, theirs.mailbox, `<${theirs.email}@test>`],
  );
});
afterAll(async () => {
  await w.stop();
});

it.each([
  ['template', { template: theirs.template }],
  ['mailbox', { mailbox: theirs.mailbox }],
  ['parent mailing', { parent: theirs.mailing }],
])("a mailing cannot use another account's %s", async (_what, cols) => {
  await expect(mailing(crypto.randomUUID(), ACCOUNT_ID, cols)).rejects.toThrow(FK);
});

it("a recipient row cannot belong to another account's mailing nor name another account's mail", async () => {
  const row = (account: number, mailingId: string, emailId: string | null) =>
    db().query(
      `INSERT INTO mailing_recipients (mailing_id, account_id, entity_type, entity_id, status, email_id) VALUES ($1, $2, 'leads', 1, $3, $4)`,
      [mailingId, account, emailId ? 'queued' : 'skipped', emailId],
    );
  await expect(row(ACCOUNT_ID, theirs.mailing, null)).rejects.toThrow(FK);
  await expect(row(ACCOUNT_ID, mine.mailing, theirs.email)).rejects.toThrow(FK);
  // The same rows within one account are accepted.
  await row(ACCOUNT_ID, mine.mailing, null);
  await row(OTHER, theirs.mailing, theirs.email);
});
