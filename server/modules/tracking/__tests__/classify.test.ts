import { classifyClick, classifyOpen, isAppleAddress, TRACKING_POLICY } from '../classify.js';

const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const sentAt = new Date('2026-11-22T10:00:00Z');
const at = new Date('2026-11-22T10:05:00Z');
const ms = (d: Date, n: number): Date => new Date(d.getTime() + n);

describe('classifyOpen', () => {
  it.each([
    ['Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)', '66.249.84.1', 'gmail_image_proxy'],
    ['YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html', '98.136.1.1', 'yahoo_mail_proxy'],
    [SAFARI, '17.1.2.3', 'apple_mpp_ip'],
    [SAFARI, '::ffff:17.1.2.3', 'apple_mpp_ip'],
    ['Mozilla/5.0', '104.28.1.1', 'apple_mpp_agent'],
    ['Mozilla/5.0 (compatible; BingPreview/1.0b)', '40.77.1.1', 'scanner_agent'],
    ['Go-http-client/1.1', '1.2.3.4', 'scanner_agent'],
    ['Mozilla/5.0 (compatible; SomeLinkBot/2.0)', '1.2.3.4', 'bot_agent'],
    [null, '1.2.3.4', 'no_user_agent'],
  ])('%s from %s is a machine (%s)', (ua, ip, reason) => {
    expect(classifyOpen({ userAgent: ua, ip })).toEqual({ human: false, reason });
  });

  it('a mail client from an ordinary address is a person', () => {
    expect(classifyOpen({ userAgent: SAFARI, ip: '203.0.113.5' })).toEqual({ human: true, reason: 'human' });
    expect(classifyOpen({ userAgent: SAFARI, ip: '170.1.2.3' })).toEqual({ human: true, reason: 'human' });
    const cubot = 'Mozilla/5.0 (Linux; Android 11; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36';
    expect(classifyOpen({ userAgent: cubot, ip: '203.0.113.5' }).human).toBe(true);
  });
});

describe('classifyClick', () => {
  const base = { userAgent: SAFARI, ip: '203.0.113.5', at, linkId: 7, sentAt };

  it('judges timing and neighbours', () => {
    expect(classifyClick(base, [])).toEqual({ human: true, reason: 'human' });
    expect(classifyClick({ ...base, sentAt: ms(at, -2000) }, [])).toEqual({ human: false, reason: 'too_fast' });
    expect(classifyClick({ ...base, sentAt: null }, [])).toEqual({ human: false, reason: 'not_sent' });
    expect(classifyClick(base, [{ kind: 'click', linkId: 8, ip: '9.9.9.9', at: ms(at, 900) }])).toEqual({ human: false, reason: 'burst' });
    // A double click on the same link is human; another link well apart too.
    expect(classifyClick(base, [{ kind: 'click', linkId: 7, ip: base.ip, at: ms(at, 300) }]).human).toBe(true);
    expect(classifyClick(base, [{ kind: 'click', linkId: 8, ip: base.ip, at: ms(at, TRACKING_POLICY.burstMs + 500) }]).human).toBe(true);
    // The honeypot: any address within the burst window, the same address within a minute.
    expect(classifyClick(base, [{ kind: 'honeypot', linkId: null, ip: '9.9.9.9', at: ms(at, -1000) }]).reason).toBe('honeypot');
    expect(classifyClick(base, [{ kind: 'honeypot', linkId: null, ip: base.ip, at: ms(at, -30_000) }]).reason).toBe('honeypot');
    expect(classifyClick(base, [{ kind: 'honeypot', linkId: null, ip: '9.9.9.9', at: ms(at, -30_000) }]).human).toBe(true);
  });

  it('HEAD probes are machines', () => {
    expect(classifyClick({ ...base, method: 'HEAD' }, [])).toEqual({ human: false, reason: 'head_request' });
  });
});

it('knows Apple’s address space', () => {
  expect(['17.0.0.1', '17.255.255.255', '2620:149:a44::10', '2a01:b740::1'].map(isAppleAddress)).toEqual([true, true, true, true]);
  expect(['171.0.0.1', '1.17.0.1', '2620:150::1', null].map(isAppleAddress)).toEqual([false, false, false, false]);
});
