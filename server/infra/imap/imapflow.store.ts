/**
 * The MailboxStore adapter over imapflow. check() uses a fresh connection every time (it is
 * the "does this login work" test); appendToSent() keeps one connection open between calls,
 * since a busy mailbox files a copy per sent message, and reconnects when the server dropped it.
 */
import net from 'node:net';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { NO_SENT_FOLDER } from './classify-imap-error.js';
import { findSentFolder } from './find-sent-folder.js';
import type { ImapSettings } from './imap-settings.js';
import type { AppendResult, MailboxCheck, MailboxStore } from './mailbox-store.js';

/** Hard ceiling for check(): a settings test the user waits on must not hang. */
export const CHECK_DEADLINE_MS = 15_000;

/**
 * Ceiling on one appendToSent() (connect, find Sent, search, APPEND). It runs in the send job,
 * after delivery: a server that trickles its replies or never answers the APPEND must not hold
 * the mailbox's queue (idle timeouts do not notice a trickle). 5 min covers a 100 MB message
 * on a slow link.
 */
export const DEFAULT_APPEND_DEADLINE_MS = 5 * 60_000;

export interface ImapStoreOptions {
  /** Budget for DNS + TCP + TLS (imapflow's connectionTimeout); default 8 s. */
  connectionTimeoutMs?: number;
  /** Inactivity limit once connected; default 30 s. */
  socketTimeoutMs?: number;
  /** Hard ceiling for check(); default CHECK_DEADLINE_MS. */
  checkDeadlineMs?: number;
  /** Hard ceiling for appendToSent(); default DEFAULT_APPEND_DEADLINE_MS. */
  appendDeadlineMs?: number;
}

export function createImapStore(settings: ImapSettings, opts: ImapStoreOptions = {}): MailboxStore {
  let shared: Promise<ImapFlow> | null = null;
  let sentPath: string | null = null;
  // Every client of the shared slot, also one still connecting, so a deadline can close it.
  const live = new Set<ImapFlow>();

  const sharedClient = async (): Promise<ImapFlow> => {
    if (shared) {
      const client = await shared.catch(() => null);
      if (client?.usable) return client;
    }
    const connecting = connectClient(settings, opts, live);
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
      return withDeadline('saving to the Sent folder', () => append(raw, messageId));
    },

    // Bounded too: the crash sweep waits for it, and one tenant's trickling server must not hold
    // every other tenant's interrupted sends (it then settles the mail as unknown).
    async findInSent(messageId: string): Promise<{ found: boolean; folder: string }> {
      return withDeadline('searching the Sent folder', () =>
        inSent(async (client, folder) => ({ found: (await searchMessageId(client, messageId)) !== undefined, folder })),
      );
    },

    async close(): Promise<void> {
      const pending = shared;
      shared = null;
      const client = pending ? await pending.catch(() => null) : null;
      if (!client) return;
      live.delete(client);
      await client.logout().catch(() => client.close());
    },
  };

  /** Runs `fn` with Sent selected and locked on the shared connection (found once, then kept). */
  async function inSent<T>(fn: (client: ImapFlow, folder: string) => Promise<T>): Promise<T> {
    const client = await sharedClient();
    sentPath ??= findSentFolder(await client.list());
    if (!sentPath) throw Object.assign(new Error('No Sent folder found'), { code: NO_SENT_FOLDER });
    const folder = sentPath;
    // The lock selects Sent and serialises search-then-append on this connection, so two
    // concurrent calls for the same message cannot both miss and both append.
    const lock = await client.getMailboxLock(folder);
    try {
      return await fn(client, folder);
    } catch (err) {
      // A server that renamed or removed Sent answers [TRYCREATE]: look it up again next time.
      sentPath = null;
      throw err;
    } finally {
      lock.release();
    }
  }

  /** The whole call (connect, find Sent, search, append) within the deadline, whatever the server does. */
  async function withDeadline<T>(what: string, run: () => Promise<T>): Promise<T> {
    const limit = opts.appendDeadlineMs ?? DEFAULT_APPEND_DEADLINE_MS;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Whatever the connection is doing, it is abandoned: close it so the next call
        // starts afresh instead of queueing behind the stalled command.
        shared = null;
        for (const c of live) c.close();
        live.clear();
        const seconds = Math.round(limit / 1000);
        reject(Object.assign(new Error(`The IMAP server did not complete ${what} within ${seconds} s; the connection was closed`), { code: 'ETIMEOUT' }));
      }, limit);
    });
    try {
      return await Promise.race([run(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function append(raw: Buffer, messageId: string): Promise<AppendResult> {
    return inSent(async (client, folder) => {
      // Gmail and Office 365 file their own copy of SMTP mail under the same Message-ID, so this
      // is what prevents a duplicate there.
      const uid = await searchMessageId(client, messageId);
      if (uid !== undefined) return { appended: false, folder, uid };
      const res = await client.append(folder, raw, ['\\Seen']);
      return { appended: true, folder, ...(res && res.uid ? { uid: res.uid } : {}) };
    });
  }
}

/**
 * The UID of a message with this Message-ID in the selected folder. SEARCH HEADER is a substring
 * match (RFC 3501 §6.4.4); the angle brackets keep <a@x> from matching <ba@x>.
 */
async function searchMessageId(client: ImapFlow, messageId: string): Promise<number | undefined> {
  const id = messageId.startsWith('<') ? messageId : `<${messageId}>`;
  const found = await client.search({ header: { 'message-id': id } }, { uid: true });
  return found && found.length > 0 ? found[0] : undefined;
}

async function connectClient(settings: ImapSettings, opts: ImapStoreOptions, live: Set<ImapFlow>): Promise<ImapFlow> {
  const client = newClient(settings, opts);
  live.add(client);
  client.on('close', () => live.delete(client));
  try {
    await client.connect();
    return client;
  } catch (err) {
    live.delete(client);
    client.close();
    throw err;
  }
}

function newClient(s: ImapSettings, opts: ImapStoreOptions): ImapFlow {
  const options: ImapFlowOptions = {
    // Pinned: connect to the checked address, keep the name for SNI and the certificate check.
    host: s.address ?? s.host,
    ...(s.address && !net.isIP(s.host) ? { servername: s.host } : {}),
    port: s.port,
    secure: s.tls,
    // With tls false imapflow upgrades via STARTTLS whenever the server offers it; doSTARTTLS
    // true makes that a requirement (it fails with tlsFailed before any login is sent).
    ...(!s.tls && s.requireStarttls ? { doSTARTTLS: true } : {}),
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
