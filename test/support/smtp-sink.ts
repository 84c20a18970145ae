/**
 * An in-process SMTP server (smtp-server) that records what it receives, for any test that sends
 * mail. Nothing is mocked: the client under test talks real SMTP over loopback.
 *
 *   const sink = await startSmtpSink();                               // no AUTH needed, any AUTH accepted
 *   const sink = await startSmtpSink({ auth: { user: 'u', pass: 'p' } });   // AUTH required
 *   const sink = await startSmtpSink({ tls: 'implicit' });            // port-465 style
 *   const transport = createSmtpTransport(sink.settings({ user: 'u', pass: 'p' }));
 *   sink.failNext(1, SINK_FAILURES.tempFail);                         // next DATA gets 451 4.7.1
 *   sink.refuseRecipient('bob@x.example', { code: 450, message: '4.2.0 Greylisted' }, 1); // RCPT TO
 *   sink.stallNext(1);                          // next message: read, then no reply to the final dot
 *   sink.stallNext(1, 'in-data');               // next message: never read (the client's writes block)
 *   sink.stallNext(1, 'before-data');           // next message: no reply to its first RCPT TO
 *   sink.onStall = (raw) => appendRaw(...);     // an after-dot stall hands the message over first
 *   const [msg] = await sink.waitForMessages(1);                      // msg.raw, msg.parsed, msg.envelope
 *   await sink.close();                                               // in afterAll/afterEach
 *
 * TLS uses smtp-server's built-in self-signed (and expired) certificate, so clients must set
 * `tlsRejectUnauthorized: false` — `sink.settings()` does that. Reverse DNS is off: it costs
 * ~100 ms a connection here (shared/docs/platform-notes.md).
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import type { SmtpSecurity, SmtpSettings } from '../../server/infra/smtp/smtp-settings.js';

export interface SmtpSinkOptions {
  /** Require AUTH with exactly these credentials (password, or XOAUTH2 access token). */
  auth?: { user: string; pass?: string; accessToken?: string };
  /**
   * 'starttls' (default): plain greeting, STARTTLS offered. 'implicit': TLS from the first byte.
   * 'plain-only': STARTTLS not offered and refused (a server without TLS).
   */
  tls?: 'starttls' | 'implicit' | 'plain-only';
  /** Allow AUTH before TLS (default true, test convenience). false: 538 "Must issue STARTTLS". */
  allowInsecureAuth?: boolean;
}

/** When a scripted failure answers: the reply to AUTH, MAIL FROM, RCPT TO or the final dot. */
export type SinkStage = 'auth' | 'mail' | 'rcpt' | 'data';

export interface SinkFailure {
  /** SMTP reply code, e.g. 451. */
  code: number;
  /** Reply text after the code, e.g. '4.7.1 Try again later'. */
  message: string;
  /** Default 'data'. An 'auth' failure only fires when the client authenticates. */
  stage?: SinkStage;
}

/** Replies real servers give, ready for failNext(). */
export const SINK_FAILURES = {
  tempFail: { code: 451, message: '4.7.1 Try again later', stage: 'data' },
  rateLimited: { code: 421, message: '4.7.0 Too many messages, try again in 30 seconds', stage: 'mail' },
  spam: { code: 554, message: '5.7.1 Message rejected under suspicion of SPAM', stage: 'data' },
  authFailed: { code: 535, message: '5.7.8 Authentication failed', stage: 'auth' },
  unknownUser: { code: 550, message: '5.1.1 User unknown', stage: 'rcpt' },
} as const satisfies Record<string, SinkFailure>;

export interface SinkMessage {
  /** Exactly the bytes received in DATA (dot-unstuffed, CRLF line ends, final CRLF included). */
  raw: Buffer;
  parsed: ParsedMail;
  envelope: { mailFrom: string; rcptTo: string[] };
  /** Date.now() when the final dot arrived (before parsing). */
  receivedAt: number;
  /** The user the client authenticated as, if it did. */
  user: string | null;
  /** Whether the session was TLS-protected (implicit TLS or after STARTTLS). */
  secure: boolean;
}

export interface SmtpSink {
  host: string;
  port: number;
  readonly messages: readonly SinkMessage[];
  /** Every RCPT TO the sink answered, in order: who was accepted or refused with which code. */
  readonly rcptLog: readonly { address: string; code: number }[];
  /** Sessions that had a message stalled, and how many of those the client has since closed. */
  readonly stalls: { readonly started: number; readonly closed: number };
  /**
   * Called with the whole message when an 'after-dot' stall has read it, e.g. to file it in a
   * Sent folder as providers like Gmail do: the server has it, the client never hears so.
   */
  onStall: ((raw: Buffer) => Promise<unknown> | void) | null;
  /**
   * Refuse RCPT TO for this address (case-insensitive) with this reply, `times` times (default:
   * always), then accept it. Other recipients of the same message are unaffected.
   */
  refuseRecipient(address: string, failure: Omit<SinkFailure, 'stage'>, times?: number): void;
  /**
   * The next `n` messages stall, and are not recorded; the session stays open until the client
   * closes it. 'after-dot' (default): read to the final dot, then never answered. 'in-data':
   * never read, so a large message stops part-way when the socket buffers fill (on loopback
   * they hold tens of MB). 'before-data': no reply to the first RCPT TO, nothing of the
   * message is sent.
   */
  stallNext(n: number, where?: Stall): void;
  /**
   * Queue `n` scripted replies. Failures fire in queue order: the head of the queue answers the
   * first time its stage is reached; later entries wait until it has fired.
   */
  failNext(n: number, failure: SinkFailure): void;
  /** Resolves once at least n messages arrived; rejects after timeoutMs (default 5 s). */
  waitForMessages(n: number, timeoutMs?: number): Promise<SinkMessage[]>;
  /** SmtpSettings pointing at this sink, with security matching its TLS mode. */
  settings(auth?: { user: string; pass: string } | null, overrides?: Partial<SmtpSettings>): SmtpSettings;
  close(): Promise<void>;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const mode = options.tls ?? 'starttls';
  const messages: SinkMessage[] = [];
  const plan: Required<SinkFailure>[] = [];
  const events = new EventEmitter();
  const rcptLog: { address: string; code: number }[] = [];
  const refusals = new Map<string, { code: number; message: string; left: number }>();
  const stallPlan: Stall[] = [];
  const stalledSessions = new Set<string>();
  const stalls = { started: 0, closed: 0 };

  const takeFailure = (stage: SinkStage): Error | null => {
    if (plan[0]?.stage !== stage) return null;
    const f = plan.shift()!;
    return Object.assign(new Error(f.message), { responseCode: f.code });
  };

  const serverOptions: SMTPServerOptions = {
    secure: mode === 'implicit',
    disableReverseLookup: true,
    logger: false,
    authOptional: !options.auth,
    allowInsecureAuth: options.allowInsecureAuth ?? true,
    authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'],
    ...(mode === 'plain-only' ? { hideSTARTTLS: true, disabledCommands: ['STARTTLS'] } : {}),
    // Let close() finish promptly even if a client keeps a pooled connection open.
    closeTimeout: 100,
    onAuth(auth, _session, callback) {
      const failure = takeFailure('auth');
      if (failure) return callback(failure);
      const want = options.auth;
      const ok =
        !want ||
        (auth.username === want.user &&
          (auth.method === 'XOAUTH2' ? auth.accessToken === want.accessToken : auth.password === want.pass));
      if (!ok) return callback(Object.assign(new Error('5.7.8 Authentication failed'), { responseCode: 535 }));
      callback(null, { user: auth.username });
    },
    onMailFrom(_address, _session, callback) {
      callback(takeFailure('mail'));
    },
    onRcptTo(address, session, callback) {
      if (stallPlan[0] === 'before-data') {
        stallPlan.shift();
        stalls.started++;
        stalledSessions.add(session.id);
        return; // never answered
      }
      const key = address.address.toLowerCase();
      const refusal = refusals.get(key);
      if (refusal && refusal.left > 0) {
        refusal.left--;
        rcptLog.push({ address: address.address, code: refusal.code });
        return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
      }
      const failure = takeFailure('rcpt');
      rcptLog.push({ address: address.address, code: failure ? (failure as Error & { responseCode: number }).responseCode : 250 });
      callback(failure);
    },
    onClose(session) {
      if (stalledSessions.delete(session.id)) {
        stalls.closed++;
        events.emit('stall-closed');
      }
    },
    onData(stream, session, callback) {
      const stall = stallPlan.shift();
      if (stall) {
        stalls.started++;
        stalledSessions.add(session.id);
        // Never call back: the client waits for a reply to the final dot that never comes.
        if (stall === 'after-dot') {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => void sink.onStall?.(Buffer.concat(chunks)));
        }
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        const receivedAt = Date.now();
        const failure = takeFailure('data');
        if (failure) return callback(failure);
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            messages.push({ raw, parsed, envelope: envelopeOf(session), receivedAt, user: userOf(session), secure: session.secure });
            events.emit('message');
            callback(null, `2.0.0 OK queued as sink-${messages.length}`);
          },
          (err: Error) => callback(err),
        );
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  // smtp-server emits 'error' for client-side TLS failures (tests provoke those on purpose);
  // without a listener they would crash the test process.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  const security: SmtpSecurity = mode === 'implicit' ? 'tls' : mode === 'starttls' ? 'starttls' : 'none';
  const sink: SmtpSink = {
    host: '127.0.0.1',
    port,
    messages,
    rcptLog,
    stalls,
    onStall: null,
    refuseRecipient(address, failure, times = Infinity) {
      refusals.set(address.toLowerCase(), { code: failure.code, message: failure.message, left: times });
    },
    stallNext(n, where = 'after-dot') {
      for (let i = 0; i < n; i++) stallPlan.push(where);
    },
    failNext(n, failure) {
      for (let i = 0; i < n; i++) plan.push({ code: failure.code, message: failure.message, stage: failure.stage ?? 'data' });
    },
    waitForMessages(n, timeoutMs = 5000) {
      if (messages.length >= n) return Promise.resolve([...messages]);
      return new Promise((resolve, reject) => {
        const onMessage = (): void => {
          if (messages.length < n) return;
          clearTimeout(timer);
          events.off('message', onMessage);
          resolve([...messages]);
        };
        const timer = setTimeout(() => {
          events.off('message', onMessage);
          reject(new Error(`smtp sink: expected ${n} message(s) within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        events.on('message', onMessage);
      });
    },
    settings(auth = null, overrides = {}) {
      return {
        host: '127.0.0.1',
        port,
        security,
        auth: auth ? { type: 'password', ...auth } : null,
        tlsRejectUnauthorized: false,
        connectionTimeoutMs: 5000,
        ...overrides,
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return sink;
}

type Stall = 'after-dot' | 'in-data' | 'before-data';

function envelopeOf(session: SMTPServerSession): SinkMessage['envelope'] {
  const from = session.envelope.mailFrom;
  return {
    mailFrom: from ? from.address : '',
    rcptTo: session.envelope.rcptTo.map((r) => r.address),
  };
}

function userOf(session: SMTPServerSession): string | null {
  return typeof session.user === 'string' ? session.user : null;
}
