/**
 * Rows that link two owned rows carry the account, and the database refuses a link to another
 * account's row (composite foreign keys), whatever the code that writes them checks.
 */
import crypto from 'node:crypto';
import { startWorld, ACCOUNT_ID, type World } from '../support/world.js';
import { createTrigger } from './trigger-helpers.js';

let w: World;
const OTHER = 2002;
let foreignTrigger: string;
let foreignLink: number;

beforeAll(async () => {
  w = await startWorld();
  const db = w.server.services.db;
  await db.query("INSERT INTO accounts (id, subdomain) VALUES ($1, 'other')", [OTHER]);
  foreignTrigger = crypto.randomUUID();
  await db.query("INSERT INTO triggers (id, account_id, name, action, params) VALUES ($1, $2, 'theirs', 'add_note', '{}')", [foreignTrigger, OTHER]);
  foreignLink = (await db.query("INSERT INTO trigger_links (account_id, name) VALUES ($1, 'theirs') RETURNING id", [OTHER])).rows[0].id;
});
afterAll(async () => {
  await w.stop();
});

const db = () => w.server.services.db;
const FK = /violates foreign key constraint/;

async function ownTemplate(): Promise<string> {
  const res = await w.api(w.admin).post('/api/templates').send({ name: 'Mine', subject: 's', html: '<p>x</p>' });
  expect(res.status).toBe(201);
  return res.body.id;
}

it('a template trigger point cannot name another account’s trigger, with or without an account given', async () => {
  const template = await ownTemplate();
  await expect(db().query("INSERT INTO template_triggers (account_id, template_id, point, trigger_id) VALUES ($1, $2, 'sent', $3)", [ACCOUNT_ID, template, foreignTrigger])).rejects.toThrow(FK);
  // An account that is not the template's is refused too.
  await expect(db().query("INSERT INTO template_triggers (account_id, template_id, point, trigger_id) VALUES ($1, $2, 'sent', $3)", [OTHER, template, foreignTrigger])).rejects.toThrow(FK);
  // Older writers that name no account get the template's, and the same refusal.
  await expect(db().query("INSERT INTO template_triggers (template_id, point, trigger_id) VALUES ($1, 'sent', $2)", [template, foreignTrigger])).rejects.toThrow(FK);
  const own = await createTrigger(w, { action: 'add_note', params: { text: 'mine' } });
  await db().query("INSERT INTO template_triggers (template_id, point, trigger_id) VALUES ($1, 'sent', $2)", [template, own]);
  const row = await db().query('SELECT account_id FROM template_triggers WHERE template_id = $1', [template]);
  expect(row.rows.map((r) => Number(r.account_id))).toEqual([ACCOUNT_ID]);
});

it('email trigger points, link fires, executions, mails and the global mailbox cannot cross accounts either', async () => {
  const own = await createTrigger(w, { action: 'add_note', params: { text: 'mine' } });
  const mailbox = crypto.randomUUID();
  // A mail of this account, straight in SQL: only the keys are under test.
  await db().query(
    `INSERT INTO mailboxes (id, account_id, owner_user_id, display_name, from_name, from_address, smtp_host, smtp_port, smtp_security, smtp_auth)
     VALUES ($1, $2, 1, 'm', 'm', 'm@acme.example', '127.0.0.1', 25, 'none', false)`,
    [mailbox, ACCOUNT_ID],
  );
  const email = crypto.randomUUID();
  await db().query(
    `INSERT INTO emails (id, account_id, user_id, mailbox_id, entity_type, entity_id, subject, body_html, to_addresses, message_id, status)
     VALUES ($1, $2, 1, $3, 'leads', 1, 's', '<p>x</p>', '[]', $4, 'cancelled')`,
    [email, ACCOUNT_ID, mailbox, `<${email}@test>`],
  );
  await expect(db().query("INSERT INTO email_triggers (account_id, email_id, point, trigger_id) VALUES ($1, $2, 'sent', $3)", [ACCOUNT_ID, email, foreignTrigger])).rejects.toThrow(FK);
  await db().query("INSERT INTO email_triggers (email_id, point, trigger_id) VALUES ($1, 'sent', $2)", [email, own]);

  // Another account's link fired for this account's mail.
  await expect(db().query("INSERT INTO trigger_link_fires (link_id, entity_type, entity_id, email_id) VALUES ($1, 'leads', 1, $2)", [foreignLink, email])).rejects.toThrow(FK);
  // A mail of this account sent from another account's mailbox.
  const theirMailbox = crypto.randomUUID();
  await db().query(
    `INSERT INTO mailboxes (id, account_id, owner_user_id, display_name, from_name, from_address, smtp_host, smtp_port, smtp_security, smtp_auth)
     VALUES ($1, $2, 1, 'm', 'm', 'm@other.example', '127.0.0.1', 25, 'none', false)`,
    [theirMailbox, OTHER],
  );
  const stray = crypto.randomUUID();
  await expect(
    db().query(
      `INSERT INTO emails (id, account_id, user_id, mailbox_id, entity_type, entity_id, subject, body_html, to_addresses, message_id, status)
       VALUES ($1, $2, 1, $3, 'leads', 1, 's', '<p>x</p>', '[]', $4, 'cancelled')`,
      [stray, ACCOUNT_ID, theirMailbox, `<${stray}@test>`],
    ),
  ).rejects.toThrow(FK);
  await expect(db().query('UPDATE accounts SET global_mailbox_id = $2 WHERE id = $1', [ACCOUNT_ID, theirMailbox])).rejects.toThrow(FK);
  await expect(
    db().query(
      `INSERT INTO trigger_executions (id, account_id, trigger_id, email_id, point, event_key, entity_type, entity_id, status, run_at)
       VALUES ($1, $2, $3, $4, 'sent', 'x', 'leads', 1, 'scheduled', now())`,
      [crypto.randomUUID(), ACCOUNT_ID, foreignTrigger, email],
    ),
  ).rejects.toThrow(FK);
});
