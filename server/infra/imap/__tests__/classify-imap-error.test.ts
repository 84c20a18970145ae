// Replies real providers send that Dovecot here cannot be made to give; the errors are built
// the way imapflow 2.10 builds them (commands/login.ts: response, responseText,
// serverResponseCode, authenticationFailed). Dovecot's own failures are in imapflow.store.test.ts.
import { HOST_NOT_ALLOWED_HINT, HostNotAllowedError } from '../../http/address-policy.js';
import { classifyImapError, NO_SENT_FOLDER } from '../classify-imap-error.js';

const tagged = (response: string, code?: string, extra: object = {}) =>
  Object.assign(new Error('Command failed'), {
    response,
    responseText: response.replace(/^\S+ (NO|BAD) (\[[^\]]+\] )?/, ''),
    ...(code ? { serverResponseCode: code } : {}),
    ...extra,
  });

describe('classifyImapError', () => {
  it('Gmail app password required → auth with a Google hint', () => {
    const c = classifyImapError(
      tagged('3 NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)', 'ALERT', {
        authenticationFailed: true,
      }),
    );
    expect(c.kind).toBe('auth');
    expect(c.serverText).toBe('NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)');
    expect(c.hint).toMatch(/app password/);
  });

  it('Outlook with basic auth off → auth with a Microsoft hint', () => {
    const c = classifyImapError(tagged('2 NO AUTHENTICATE failed.', undefined, { authenticationFailed: true }));
    expect(c).toMatchObject({ kind: 'auth', serverText: 'NO AUTHENTICATE failed.' });
    expect(c.hint).toMatch(/Microsoft/);
  });

  it('[UNAVAILABLE] temporary authentication failure → transient (RFC 5530)', () => {
    const c = classifyImapError(
      tagged('2 NO [UNAVAILABLE] Temporary authentication failure. [host:2024-09-02 10:00:00]', 'UNAVAILABLE', { authenticationFailed: true }),
    );
    expect(c.kind).toBe('transient');
  });

  it('[OVERQUOTA] on APPEND → permanent, mailbox full', () => {
    const c = classifyImapError(tagged('5 NO [OVERQUOTA] Quota exceeded (mailbox for user is full)', 'OVERQUOTA'), 'append');
    expect(c).toMatchObject({ kind: 'permanent', responseCode: 'OVERQUOTA' });
    expect(c.hint).toMatch(/mailbox is full/);
  });

  it('throttling carries the server-suggested delay', () => {
    const err = Object.assign(new Error('Throttling'), { code: 'ETHROTTLE', throttleReset: 12_000 });
    expect(classifyImapError(err, 'append')).toMatchObject({ kind: 'transient', retryAfterMs: 12_000 });
  });

  it('unknown host: permanent for a check, pauses the mailbox while in use', () => {
    const err = Object.assign(new Error('getaddrinfo ENOTFOUND imap.gmial.com'), { code: 'ENOTFOUND' });
    expect(classifyImapError(err, 'check').kind).toBe('permanent');
    expect(classifyImapError(err, 'append').kind).toBe('auth');
  });

  it('greeting timeout suggests turning TLS on', () => {
    const err = Object.assign(new Error('Failed to receive greeting from server in required time. Maybe should use TLS?'), {
      code: 'GREETING_TIMEOUT',
    });
    expect(classifyImapError(err).hint).toMatch(/expects SSL\/TLS from the start/);
  });

  it('no Sent folder → permanent', () => {
    const err = Object.assign(new Error('No Sent folder found'), { code: NO_SENT_FOLDER });
    expect(classifyImapError(err, 'append').kind).toBe('permanent');
  });
});

describe('a mail server the address policy refuses', () => {
  const refused = new HostNotAllowedError('127.0.0.1', '127.0.0.1', 'a loopback address');

  it('is permanent in a check and auth while filing in Sent, with the reason', () => {
    expect(classifyImapError(refused, 'check')).toEqual({
      kind: 'permanent',
      serverText: 'The server 127.0.0.1 is not allowed: it is a loopback address',
      hint: HOST_NOT_ALLOWED_HINT,
    });
    expect(classifyImapError(refused, 'append').kind).toBe('auth');
  });
});
