/**
 * The MailboxStore adapter over imapflow. check() uses a fresh connection every time (it is
 * the "does this login work" test); appendToSent() keeps one connection open between calls,
 * since a busy mailbox files a copy per sent message, and reconnects when the server dropped it.
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { NO_SENT_FOLDER } from './classify-imap-error.js';
import { findSentFolder } from './find-sent-folder.js';
import type { ImapSettings } from './imap-settings.js';
import type { AppendResult, MailboxCheck, MailboxStore } from './mailbox-store.js';

/** Hard ceiling for check(): a settings test the user waits on must not hang. */
export const CHECK_DEADLINE_MS = 15_000;

export interface ImapStoreOptions {
  /** Budget for DNS + TCP + TLS (imapflow's connectionTimeout); default 8 s. */
  connectionTimeoutMs?: number;
  /** Inactivity limit once connected; default 30 s. */
  socketTimeoutMs?: number;
  /** Hard ceiling for check(); default CHECK_DEADLINE_MS. */
  checkDeadlineMs?: number;
}

export function createImapStore(settings: ImapSettings, opts: ImapStoreOptions = {}): MailboxStore {
  let shared: Promise<ImapFlow> | null = null;
  let sentPath: string | null = null;

  const sharedClient = async (): Promise<ImapFlow> => {
    if (shared) {
      const client = await shared.catch(() => null);
      if (client?.usable) return client;
    }
    const connecting = connectClient(settings, opts);
    shared = connecting;
    connecting.catch(() => {
      if (shared === connecting) shared = null;
    });
    return connecting;
  };

  return {
    async check(): Promise<MailboxCheck> {
      const client = newClient(settings, opts);
      const limit = opts.checkDeadlineMs ?? CHECK_DEADLINE_MS;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          client.close();
          reject(Object.assign(new Error(`IMAP check did not finish within ${limit} ms`), { code: 'ETIMEOUT' }));
        }, limit);
      });
      const run = async (): Promise<MailboxCheck> => {
        await client.connect();
        const list = await client.list();
        await client.logout().catch(() => client.close());
        return { folders: list.map((f) => f.path), sentFolder: findSentFolder(list) };
      };
      try {
        return await Promise.race([run(), deadline]);
      } catch (err) {
        client.close();
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },

    async appendToSent(raw: Buffer, messageId: string): Promise<AppendResult> {
      const client = await sharedClient();
      if (!sentPath) {
        sentPath = findSentFolder(await client.list());
        if (!sentPath) throw Object.assign(new Error('No Sent folder found'), { code: NO_SENT_FOLDER });
      }
      const folder = sentPath;
      const id = messageId.startsWith('<') ? messageId : `<${messageId}>`;
      // The lock selects Sent and serialises search-then-append on this connection, so two
      // concurrent calls for the same message cannot both miss and both append.
      const lock = await client.getMailboxLock(folder);
      try {
        // SEARCH HEADER is a substring match (RFC 3501 §6.4.4); the angle brackets keep
        // <a@x> from matching <ba@x>. Gmail and Office 365 file their own copy of SMTP mail
        // under the same Message-ID, so this is what prevents a duplicate there.
        const found = await client.search({ header: { 'message-id': id } }, { uid: true });
        if (found && found.length > 0) return { appended: false, folder, uid: found[0]! };
        const res = await client.append(folder, raw, ['\\Seen']);
        return { appended: true, folder, ...(res && res.uid ? { uid: res.uid } : {}) };
      } catch (err) {
        // A server that renamed or removed Sent answers [TRYCREATE]: look it up again next time.
        sentPath = null;
        throw err;
      } finally {
        lock.release();
      }
    },

    async findInSent(messageId: string): Promise<{ found: boolean; folder: string }> {
      const client = await sharedClient();
      sentPath ??= findSentFolder(await client.list());
      if (!sentPath) throw Object.assign(new Error('No Sent folder found'), { code: NO_SENT_FOLDER });
      const folder = sentPath;
      const id = messageId.startsWith('<') ? messageId : `<${messageId}>`;
      const lock = await client.getMailboxLock(folder);
      try {
        const found = await client.search({ header: { 'message-id': id } }, { uid: true });
        return { found: !!found && found.length > 0, folder };
      } finally {
        lock.release();
      }
    },

    async close(): Promise<void> {
      const pending = shared;
      shared = null;
      const client = pending ? await pending.catch(() => null) : null;
      if (!client) return;
      await client.logout().catch(() => client.close());
    },
  };
}

async function connectClient(settings: ImapSettings, opts: ImapStoreOptions): Promise<ImapFlow> {
  const client = newClient(settings, opts);
  try {
    await client.connect();
    return client;
  } catch (err) {
    client.close();
    throw err;
  }
}

function newClient(s: ImapSettings, opts: ImapStoreOptions): ImapFlow {
  const options: ImapFlowOptions = {
    host: s.host,
    port: s.port,
    secure: s.tls,
    // With tls false imapflow upgrades via STARTTLS whenever the server offers it; the settings
    // have no "STARTTLS required" choice, so opportunistic is the safest default for port 143.
    auth: s.auth.type === 'oauth2' ? { user: s.auth.user, accessToken: s.auth.accessToken } : { user: s.auth.user, pass: s.auth.pass },
    tls: { rejectUnauthorized: s.tlsRejectUnauthorized ?? true },
    // imapflow's logger would print the user name and folder traffic; callers log what matters.
    logger: false,
    // Only short command sequences run here; auto-IDLE would just keep the socket busy.
    disableAutoIdle: true,
    connectionTimeout: opts.connectionTimeoutMs ?? 8_000,
    greetingTimeout: 5_000,
    socketTimeout: opts.socketTimeoutMs ?? 30_000,
  };
  const client = new ImapFlow(options);
  // Socket errors after connect() are emitted as 'error'; unhandled they would crash the
  // process. The failing command rejects with the same error, which is what callers see.
  client.on('error', () => {});
  return client;
}
