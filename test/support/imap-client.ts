/**
 * Helpers for tests that look into the shared Dovecot server started by global-setup.js
 * (127.0.0.1:$TEST_IMAP_PORT, plain text, users in $TEST_IMAP_USERS, password "secret",
 * folders INBOX, Sent (\Sent), Drafts, Trash):
 *
 *   const settings = imapSettingsFor(imapUser(0));          // ImapSettings for the app's store
 *   const msgs = await listMessages(imapUser(0), 'Sent');   // [{ uid, messageId, subject, flags }]
 *   await eventually(async () => expect(await countByMessageId(user, 'Sent', id)).toBe(1));
 *   await appendRaw(user, 'Sent', raw);                     // plant a message, e.g. "Gmail's own copy"
 *
 * Mail stays in Dovecot for the whole run and test files share the users: give every message a
 * unique Message-ID (uniqueMessageId()) and count by it rather than counting a whole folder.
 * A failed login makes Dovecot delay the next login from 127.0.0.1 by 2 s or more (its auth
 * penalty): run wrong-password tests last in a file and log in once successfully afterwards.
 */
import { ImapFlow } from 'imapflow';
import { randomUUID } from 'node:crypto';
import type { ImapSettings } from '../../server/infra/imap/imap-settings.js';

export const IMAP_PASSWORD = 'secret';

export function imapPort(): number {
  const port = Number(process.env.TEST_IMAP_PORT);
  if (!port) throw new Error('TEST_IMAP_PORT is not set: run the tests through jest (test/support/global-setup.js)');
  return port;
}

/** The i-th test user, e.g. imapUser(0) === 'alice@example.test'. */
export function imapUser(i: number): string {
  const users = (process.env.TEST_IMAP_USERS ?? '').split(',').filter(Boolean);
  const user = users[i];
  if (!user) throw new Error(`TEST_IMAP_USERS has no user #${i}`);
  return user;
}

export function imapSettingsFor(user: string, overrides: Partial<ImapSettings> = {}): ImapSettings {
  return {
    host: '127.0.0.1',
    port: imapPort(),
    tls: false,
    auth: { type: 'password', user, pass: IMAP_PASSWORD },
    ...overrides,
  };
}

/** A fresh `<uuid@domain>` Message-ID. */
export function uniqueMessageId(domain = 'leadmail.test'): string {
  return `<${randomUUID()}@${domain}>`;
}

/** Runs fn with a logged-in imapflow client and always logs out. */
export async function withImap<T>(user: string, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: imapPort(),
    secure: false,
    auth: { user, pass: IMAP_PASSWORD },
    logger: false,
    disableAutoIdle: true,
  });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

export interface ListedMessage {
  uid: number;
  /** From the IMAP ENVELOPE, with angle brackets. */
  messageId: string | null;
  /** Decoded (RFC 2047 words resolved by imapflow). */
  subject: string | null;
  flags: string[];
}

export async function listMessages(user: string, folder: string): Promise<ListedMessage[]> {
  return withImap(user, async (client) => {
    const lock = await client.getMailboxLock(folder);
    try {
      const out: ListedMessage[] = [];
      if (!client.mailbox || client.mailbox.exists === 0) return out;
      for await (const msg of client.fetch('1:*', { uid: true, flags: true, envelope: true })) {
        out.push({
          uid: msg.uid,
          messageId: msg.envelope?.messageId ?? null,
          subject: msg.envelope?.subject ?? null,
          flags: [...(msg.flags ?? [])],
        });
      }
      return out;
    } finally {
      lock.release();
    }
  });
}

/** How many messages in the folder carry exactly this Message-ID (brackets optional). */
export async function countByMessageId(user: string, folder: string, messageId: string): Promise<number> {
  const id = messageId.startsWith('<') ? messageId : `<${messageId}>`;
  const messages = await listMessages(user, folder);
  return messages.filter((m) => m.messageId === id).length;
}

/** The full source of the message with this UID. */
export async function fetchRaw(user: string, folder: string, uid: number): Promise<Buffer> {
  return withImap(user, async (client) => {
    const lock = await client.getMailboxLock(folder);
    try {
      const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
      if (!msg || !msg.source) throw new Error(`no message with UID ${uid} in ${folder}`);
      return msg.source;
    } finally {
      lock.release();
    }
  });
}

/** APPENDs raw bytes directly (bypassing the app), e.g. to play the provider filing its own copy. */
export async function appendRaw(user: string, folder: string, raw: Buffer | string): Promise<number | undefined> {
  return withImap(user, async (client) => {
    const res = await client.append(folder, raw, ['\\Seen']);
    return res ? res.uid : undefined;
  });
}
