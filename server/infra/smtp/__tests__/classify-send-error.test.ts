// The replies below are ones real providers send; they cannot be provoked from smtp-server or
// the local resolver, so the errors are built the way nodemailer 10 builds them (_formatError in
// smtp-connection: code, originalCode, response, responseCode, command). The real-server paths
// are covered in nodemailer.transport.test.ts.
import { HOST_NOT_ALLOWED_HINT, HostNotAllowedError } from '../../http/address-policy.js';
import { classifySmtpError, parseRetryAfterMs, recipientRefusals, SEND_DEADLINE_CODE } from '../classify-send-error.js';

const smtpReply = (response: string, code = 'EENVELOPE', command = 'DATA') =>
  Object.assign(new Error(`Message failed: ${response}`), {
    code,
    response,
    responseCode: Number(response.slice(0, 3)),
    command,
  });
const systemError = (nodemailerCode: string, originalCode: string, message: string) =>
  Object.assign(new Error(message), { code: nodemailerCode, originalCode, command: 'CONN' });

describe('classifySmtpError', () => {
  it.each([
    ['535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [BN9PR03CA0123.namprd03.prod.outlook.com]', 'EAUTH'],
    ['550 5.7.30 Basic authentication is not supported for Client Submission.', 'EAUTH'],
    ['535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.', 'EAUTH'],
  ])('Microsoft basic auth turned off → auth with an OAuth hint: %s', (response, code) => {
    const c = classifySmtpError(smtpReply(response, code, 'AUTH LOGIN'));
    expect(c.kind).toBe('auth');
    expect(c.serverText).toBe(response);
    expect(c.hint).toMatch(/Microsoft 365.*OAuth/);
  });

  it('Gmail app password required → auth with a Google hint', () => {
    const response = '534-5.7.9 Application-specific password required. Learn more at\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor';
    const c = classifySmtpError(smtpReply(response, 'EAUTH', 'AUTH PLAIN'));
    expect(c).toMatchObject({ kind: 'auth', responseCode: 534, enhancedCode: '5.7.9', serverText: response });
    expect(c.hint).toMatch(/app password/);
  });

  it('530 authentication required (no login configured) → auth', () => {
    const c = classifySmtpError(smtpReply('530 5.7.0 Authentication required', 'EENVELOPE', 'MAIL FROM'));
    expect(c.kind).toBe('auth');
    expect(c.hint).toMatch(/only accepts mail after a login/);
  });

  it('530 Must issue a STARTTLS command first → auth with an encryption hint', () => {
    const c = classifySmtpError(smtpReply('530 5.7.0 Must issue a STARTTLS command first', 'EENVELOPE', 'MAIL FROM'));
    expect(c.kind).toBe('auth');
    expect(c.hint).toMatch(/encrypted connection/);
  });

  it('451 greylisting with a delay → transient with retryAfterMs', () => {
    const c = classifySmtpError(smtpReply('451 4.7.1 Greylisted, please try again in 300 seconds', 'EENVELOPE', 'RCPT TO'));
    expect(c).toMatchObject({ kind: 'transient', responseCode: 451, retryAfterMs: 300_000 });
  });

  it('451 rate limit text gets the rate-limit hint', () => {
    const c = classifySmtpError(smtpReply('451 4.3.0 Rate limit exceeded, try again after 2 minutes'));
    expect(c).toMatchObject({ kind: 'transient', retryAfterMs: 120_000 });
    expect(c.hint).toMatch(/limiting how fast/);
  });

  it('550 5.1.1 unknown user → permanent', () => {
    const c = classifySmtpError(smtpReply("550 5.1.1 The email account that you tried to reach does not exist.", 'EENVELOPE', 'RCPT TO'));
    expect(c.kind).toBe('permanent');
    expect(c.hint).toMatch(/recipient address does not exist/);
  });

  it('503 outside AUTH is a session problem → transient', () => {
    expect(classifySmtpError(smtpReply('503 5.5.1 Error: need MAIL command', 'EPROTOCOL', 'RCPT TO')).kind).toBe('transient');
  });

  it.each([
    ['ESOCKET', 'ECONNRESET', 'read ECONNRESET'],
    ['ETIMEDOUT', 'ETIMEDOUT', 'Connection timeout'],
    ['EDNS', 'EAI_AGAIN', 'getaddrinfo EAI_AGAIN smtp.example.com'],
    ['ECONNECTION', 'ECONNECTION', 'Connection closed unexpectedly'],
  ])('%s/%s is transient', (code, original, msg) => {
    const c = classifySmtpError(systemError(code, original, msg));
    expect(c.kind).toBe('transient');
    expect(c.serverText).toBe(msg);
    expect(c.responseCode).toBeUndefined();
  });

  it('unknown host: permanent for a check, pauses the mailbox (auth) while sending', () => {
    const err = systemError('EDNS', 'ENOTFOUND', 'getaddrinfo ENOTFOUND smtp.gmial.com');
    expect(classifySmtpError(err, 'check')).toMatchObject({ kind: 'permanent', serverText: 'getaddrinfo ENOTFOUND smtp.gmial.com' });
    expect(classifySmtpError(err, 'send').kind).toBe('auth');
    expect(classifySmtpError(err).hint).toMatch(/does not exist in DNS/);
  });

  it('untrusted certificate → certificate hint', () => {
    const c = classifySmtpError(systemError('ESOCKET', 'CERT_HAS_EXPIRED', 'certificate has expired'), 'check');
    expect(c.kind).toBe('permanent');
    expect(c.hint).toMatch(/certificate is not trusted/);
  });

  it('an expired OAuth token → auth', () => {
    const err = Object.assign(new Error("Can't create new access token for user"), { code: 'EOAUTH2' });
    expect(classifySmtpError(err)).toMatchObject({ kind: 'auth' });
  });

  it('an unexpected non-SMTP error is retried rather than failing the message', () => {
    expect(classifySmtpError(new TypeError('x is undefined')).kind).toBe('transient');
    expect(classifySmtpError('weird').serverText).toBe('weird');
  });
});

describe('parseRetryAfterMs', () => {
  it.each([
    ['421 4.7.0 Try again in 30 seconds', 30_000],
    ['450 4.2.1 retry in 5 minutes', 300_000],
    ['421 Please wait 1 hour', 3_600_000],
    ['451 4.7.1 Try again later', undefined],
    ['421 try again in 900 hours', 24 * 3_600_000],
  ])('%s → %s', (text, ms) => {
    expect(parseRetryAfterMs(text)).toBe(ms);
  });
});

describe('a mail server the address policy refuses', () => {
  const refused = new HostNotAllowedError('relay.corp.example', '10.1.2.3', 'a private address');

  it('is a settings problem: permanent in a check, pauses the mailbox (auth) when sending', () => {
    expect(classifySmtpError(refused, 'check')).toEqual({
      kind: 'permanent',
      serverText: 'The server relay.corp.example is not allowed: it resolves to 10.1.2.3, a private address',
      hint: HOST_NOT_ALLOWED_HINT,
    });
    expect(classifySmtpError(refused, 'send').kind).toBe('auth');
  });
});

describe('recipientRefusals', () => {
  // nodemailer puts one error per refused RCPT TO on `rejectedErrors` (of the result, or of the
  // EENVELOPE error when nobody was accepted), each with the recipient it refers to.
  const refusal = (recipient: string, response: string) => Object.assign(smtpReply(response, 'EENVELOPE', 'RCPT TO'), { recipient });

  it('tells deferred (4yz, and 503) from refused for good (5yz), with the full address and the reply', () => {
    const info = {
      rejectedErrors: [
        refusal('grey@x.example', '450 4.2.0 Greylisted'),
        refusal('gone@x.example', '550 5.1.1 User unknown'),
        refusal('odd@x.example', '503 5.5.1 Bad sequence of commands'),
      ],
    };
    expect(recipientRefusals(info)).toEqual([
      { address: 'grey@x.example', responseCode: 450, reply: '450 4.2.0 Greylisted', kind: 'transient' },
      { address: 'gone@x.example', responseCode: 550, reply: '550 5.1.1 User unknown', kind: 'permanent' },
      { address: 'odd@x.example', responseCode: 503, reply: '503 5.5.1 Bad sequence of commands', kind: 'transient' },
    ]);
    expect(recipientRefusals(new Error('no list'))).toEqual([]);
  });

  it('a send cut off by its deadline is temporary, with a hint that says so', () => {
    const c = classifySmtpError(Object.assign(new Error('The SMTP server did not complete the delivery within 720 s'), { code: SEND_DEADLINE_CODE }));
    expect(c.kind).toBe('transient');
    expect(c.hint).toMatch(/did not complete the delivery in time/);
  });
});
