/**
 * The MailTransport adapter over nodemailer. The message is checked and prepared once
 * (prepare-message.ts), built by nodemailer as the connection streams it into DATA, with an
 * explicit envelope; the bytes returned for the Sent folder are taken from that very stream, so
 * they are the bytes the server received.
 */
import net from 'node:net';
import { Transform, type Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import { AFTER_DATA, recipientRefusals, SEND_DEADLINE_CODE } from './classify-send-error.js';
import { prepareMessage } from './prepare-message.js';
import type { MailTransport, OutgoingMessage, SendResult } from './mail-transport.js';
import type { SmtpAuth, SmtpSettings } from './smtp-settings.js';

/** Hard ceiling for verify(): a settings check the user waits on must not hang. */
export const VERIFY_DEADLINE_MS = 15_000;
const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
/**
 * Socket inactivity limit while sending. RFC 5321 §4.5.3.2.6 asks clients to wait up to 10 min
 * for the reply to the final dot; a worker cannot block that long, and a timeout there is
 * ambiguous (the server may have accepted the message). 60 s covers real servers' content
 * scanning; the caller retries as transient and the Sent-folder dedupe stops a second copy there.
 */
const DEFAULT_SOCKET_TIMEOUT_MS = 60_000;
/**
 * Ceiling on one whole send (connect, envelope, DATA, the reply to the final dot). A socket
 * timeout only notices silence: a server that trickles a byte now and then, or a slow link
 * stretching the transfer, would hold the send, and the mailbox's queue with it, for ever.
 * 12 min leaves the 10 min RFC 5321 §4.5.3.2.6 grants the final dot, plus the rest.
 */
export const DEFAULT_SEND_DEADLINE_MS = 12 * 60_000;

/** Minimal logger shape (pino's Logger fits). Only counts and domains are logged, never addresses. */
export interface TransportLogger {
  debug(obj: object, msg?: string): void;
}

export interface SmtpTransportOptions {
  /**
   * Keep connections open between messages. One connection at a time manages ~9 msg/s because
   * servers pause before the greeting; a pool of 5 ~800 msg/s (shared/docs/platform-notes.md).
   */
  pool?: { maxConnections?: number; maxMessages?: number };
  /** Host name for EHLO; defaults to the machine's name. Some servers refuse bare names. */
  clientName?: string;
  socketTimeoutMs?: number;
  /** Hard ceiling for one send(); default DEFAULT_SEND_DEADLINE_MS. */
  sendDeadlineMs?: number;
  /** Hard ceiling for verify(); default VERIFY_DEADLINE_MS. */
  verifyDeadlineMs?: number;
  logger?: TransportLogger;
}

export function createSmtpTransport(settings: SmtpSettings, opts: SmtpTransportOptions = {}): MailTransport {
  const connectionTimeout = settings.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
  const sendOptions: SMTPTransportOptions & { socketCloseTimeout: number } = {
    ...nodemailerOptions(settings, opts, { connectionTimeout, socketTimeout: opts.socketTimeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS }),
    // A connection is closed when we are done with it, or have given up on it (the deadline):
    // destroy the socket at once rather than end it and wait 5 s for a server that may have
    // stopped reading (nodemailer 10.6's option, not yet in @types/nodemailer 8).
    socketCloseTimeout: 0,
  };
  const transporter = opts.pool
    ? nodemailer.createTransport({
        ...sendOptions,
        pool: true,
        maxConnections: opts.pool.maxConnections ?? 5,
        maxMessages: opts.pool.maxMessages ?? 100,
      })
    : nodemailer.createTransport(sendOptions);
  // nodemailer re-emits transport-level problems (an OAuth2 token error, a pooled connection
  // dying while idle) as 'error' events; unhandled they would crash the process. The send that
  // is affected rejects with the same error, which is where callers handle it.
  transporter.on('error', () => {});
  // Notes when the connection has read the whole message (it starts only after the server's 354
  // to DATA; the final dot follows the last byte): a failure without a reply after that point may
  // hide a delivery (classify-send-error.ts, AFTER_DATA). A process function's stream is the one
  // the connection reads, so its end is the reader's, not some buffer's upstream — and its bytes
  // are the message as sent (before SMTP's dot-stuffing), kept when the caller wants them.
  transporter.use('stream', (mail, done) => {
    const progress = (mail.data as { progress?: SendProgress }).progress;
    if (progress) mail.message.processFunc((input) => readToTheEnd(input, progress));
    done();
  });

  return {
    async send(message: OutgoingMessage): Promise<SendResult> {
      const { options, envelope } = prepareMessage(message);
      const limit = opts.sendDeadlineMs ?? DEFAULT_SEND_DEADLINE_MS;
      // nodemailer 10.6 fails the send on abort and closes the connection carrying it, so a
      // stalled pooled connection is never handed to the next message (@types/nodemailer 8
      // does not know the `signal` option yet).
      const signal = AbortSignal.timeout(limit);
      const progress: SendProgress = { handedOver: false, ...(message.keepRaw === false ? {} : { chunks: [] }) };
      const mail: Mail.Options & { signal: AbortSignal; progress: SendProgress } = { ...options, envelope, signal, progress };
      let info: SMTPTransport.SentMessageInfo;
      try {
        info = await transporter.sendMail(mail);
      } catch (err) {
        const e = signal.aborted ? sendDeadlineError(limit) : err;
        if (progress.handedOver && e && typeof e === 'object') Object.assign(e, { [AFTER_DATA]: true });
        throw e;
      }
      const raw = progress.chunks ? Buffer.concat(progress.chunks) : null;
      opts.logger?.debug(
        { smtpHost: settings.host, recipients: envelope.to.length, domains: domainsOf(envelope.to), ...(raw ? { bytes: raw.length } : {}) },
        'smtp message accepted',
      );
      return {
        response: info.response,
        accepted: info.accepted.map(addressString),
        rejected: info.rejected.map(addressString),
        refused: recipientRefusals(info),
        raw,
      };
    },

    async verify(): Promise<void> {
      // A separate one-shot connection with tighter limits; nodemailer's connectionTimeout
      // already covers DNS + TCP + TLS + greeting, the socket timeout each later step (EHLO,
      // STARTTLS, AUTH). The race below is the hard ceiling on top of both.
      const limit = opts.verifyDeadlineMs ?? VERIFY_DEADLINE_MS;
      const checkTimeout = Math.min(connectionTimeout, Math.max(limit - 5_000, 1_000));
      const checker = nodemailer.createTransport(
        nodemailerOptions(settings, opts, { connectionTimeout: checkTimeout, socketTimeout: 5_000 }),
      );
      checker.on('error', () => {});
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(Object.assign(new Error(`SMTP check did not finish within ${limit} ms`), { code: 'ETIMEDOUT' }));
        }, limit);
      });
      try {
        await Promise.race([checker.verify(), deadline]);
      } finally {
        clearTimeout(timer);
        checker.close();
      }
    },

    close(options = {}): void {
      // nodemailer 10.6 takes `force` (not yet in @types/nodemailer 8).
      (transporter as unknown as { close(o: { force: boolean }): void }).close({ force: options.force ?? false });
    },
  };
}

function nodemailerOptions(
  s: SmtpSettings,
  opts: SmtpTransportOptions,
  t: { connectionTimeout: number; socketTimeout: number },
): SMTPTransportOptions {
  return {
    // Pinned: connect to the checked address, keep the name for SNI and the certificate check.
    host: s.address ?? s.host,
    ...(s.address && !net.isIP(s.host) ? { servername: s.host } : {}),
    port: s.port,
    // 'tls': implicit TLS (RFC 8314). 'starttls': refuse to continue in plain text if the upgrade
    // is not possible (RFC 3207; a stripped STARTTLS must not leak the password). 'none': never
    // upgrade, even if offered.
    secure: s.security === 'tls',
    requireTLS: s.security === 'starttls',
    ignoreTLS: s.security === 'none',
    ...(s.auth ? { auth: toNodemailerAuth(s.auth) } : {}),
    // Without this nodemailer silently skips AUTH when the server does not advertise it (many
    // hide AUTH until STARTTLS, RFC 4954 §4) and the user later gets a puzzling 530/550 at
    // MAIL FROM; with it the login is attempted and the server says why it refuses (538...).
    forceAuth: s.auth !== null,
    tls: { rejectUnauthorized: s.tlsRejectUnauthorized ?? true },
    connectionTimeout: t.connectionTimeout,
    greetingTimeout: t.connectionTimeout,
    dnsTimeout: t.connectionTimeout,
    socketTimeout: t.socketTimeout,
    ...(opts.clientName ? { name: opts.clientName } : {}),
    // nodemailer's own log lines name every recipient in full: keep them off.
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function toNodemailerAuth(auth: SmtpAuth): NonNullable<SMTPTransportOptions['auth']> {
  return auth.type === 'oauth2'
    ? // No clientId/refreshToken: the mailboxes module refreshes tokens; nodemailer only sends
      // XOAUTH2 (https://developers.google.com/gmail/imap/xoauth2-protocol).
      { type: 'OAuth2', user: auth.user, accessToken: auth.accessToken }
    : { type: 'login', user: auth.user, pass: auth.pass };
}

/** Whether the connection has read the whole message into DATA (it reads none before the server's 354). */
interface SendProgress {
  handedOver: boolean;
  /** The message's bytes as the connection read them, when the caller keeps them (keepRaw). */
  chunks?: Buffer[];
}

/**
 * The message stream as the connection reads it, noting when its last byte was read. It is cut
 * into pieces: the message comes as one chunk, which the socket would take whole into its own
 * buffer; in pieces, the connection reads the last one only once the socket has written out all
 * but a few dozen kB, so "read to the end" means "written to the network, final dot next".
 */
function readToTheEnd(input: Readable, progress: SendProgress): Readable {
  const out = new Transform({
    transform(chunk: Buffer, _encoding, next) {
      progress.chunks?.push(chunk);
      for (let i = 0; i < chunk.length; i += PIECE_BYTES) this.push(chunk.subarray(i, i + PIECE_BYTES));
      next();
    },
  });
  // A process function reports its input's errors on its output (nodemailer's mime-node).
  input.once('error', (err) => out.destroy(err));
  out.once('end', () => {
    progress.handedOver = true;
  });
  return input.pipe(out);
}

const PIECE_BYTES = 64 * 1024;

function sendDeadlineError(limitMs: number): Error {
  const seconds = Math.round(limitMs / 1000);
  return Object.assign(new Error(`The SMTP server did not complete the delivery within ${seconds} s; the connection was closed`), {
    code: SEND_DEADLINE_CODE,
    deadlineMs: limitMs,
  });
}

function addressString(a: unknown): string {
  if (typeof a === 'string') return a;
  if (a && typeof a === 'object' && 'address' in a && typeof a.address === 'string') return a.address;
  return String(a);
}

function domainsOf(addresses: string[]): string[] {
  return [...new Set(addresses.map((a) => a.slice(a.lastIndexOf('@') + 1).toLowerCase()))];
}
