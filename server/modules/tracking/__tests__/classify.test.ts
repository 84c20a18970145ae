import { boundFacts, classifyClick, classifyOpen, duration, isAppleAddress, isGoogleProxyAddress, MAX_USER_AGENT, TRACKING_POLICY } from '../classify.js';

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
    // At the moment of delivery: nothing here is a person, Gmail's proxy included.
    expect(classifyOpen({ userAgent: ua, ip, at: ms(sentAt, 20_000), sentAt })).toMatchObject({ human: false, reason });
  });

  it('a mail client from an ordinary address is a person', () => {
    const o = { at, sentAt };
    expect(classifyOpen({ userAgent: SAFARI, ip: '203.0.113.5', ...o })).toEqual({ human: true, reason: 'human' });
    expect(classifyOpen({ userAgent: SAFARI, ip: '170.1.2.3', ...o })).toEqual({ human: true, reason: 'human' });
    const cubot = 'Mozilla/5.0 (Linux; Android 11; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36';
    expect(classifyOpen({ userAgent: cubot, ip: '203.0.113.5', ...o }).human).toBe(true);
  });

  it('a Gmail-proxy fetch well after delivery is a person opening the mail; at delivery it is a scan', () => {
    const gmail = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
    const after = (n: number) => classifyOpen({ userAgent: gmail, ip: '66.249.84.1', at: ms(sentAt, n), sentAt });
    expect(after(4 * 60_000)).toEqual({ human: true, reason: 'gmail_proxy_open', detail: 'gmail proxy, 4 min after delivery' });
    expect(after(TRACKING_POLICY.gmailOpenAfterMs)).toMatchObject({ human: true, reason: 'gmail_proxy_open' });
    expect(after(TRACKING_POLICY.gmailOpenAfterMs - 1000)).toEqual({ human: false, reason: 'gmail_image_proxy', detail: 'gmail proxy, 119 s after delivery' });
    expect(after(3000)).toEqual({ human: false, reason: 'gmail_image_proxy', detail: 'gmail proxy, 3 s after delivery' });
    expect(classifyOpen({ userAgent: gmail, ip: '66.249.84.1', at, sentAt: null })).toMatchObject({ human: false, reason: 'gmail_image_proxy' });
    // Google's proxy addresses count even behind another agent string.
    expect(classifyOpen({ userAgent: SAFARI, ip: '66.102.8.3', at: ms(sentAt, 3000), sentAt })).toMatchObject({ human: false, reason: 'gmail_image_proxy' });
    expect(classifyOpen({ userAgent: SAFARI, ip: '2a00:1450:4001::5', at: ms(sentAt, 600_000), sentAt })).toMatchObject({ human: true, reason: 'gmail_proxy_open' });
    // Apple MPP and Yahoo prefetch at delivery: never a person, however late the fetch.
    expect(classifyOpen({ userAgent: SAFARI, ip: '17.58.63.12', at: ms(sentAt, 3_600_000), sentAt })).toEqual({ human: false, reason: 'apple_mpp_ip' });
    expect(classifyOpen({ userAgent: 'Mozilla/5.0', ip: '104.28.1.1', at: ms(sentAt, 3_600_000), sentAt })).toEqual({ human: false, reason: 'apple_mpp_agent' });
    expect(classifyOpen({ userAgent: 'YahooMailProxy; https://help.yahoo.com', ip: '98.136.1.1', at: ms(sentAt, 3_600_000), sentAt }).human).toBe(false);
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

  it('the same link twice within tens of ms soon after sending is a scanner; a later or slower double click is a person', () => {
    const soon = { ...base, at: ms(sentAt, 25_000) };
    const twin = (gapMs: number, from = soon.at) => [{ kind: 'click', linkId: 7, ip: base.ip, at: ms(from, gapMs) }];
    expect(classifyClick(soon, twin(12))).toEqual({ human: false, reason: 'scanner_pair', detail: '2 hits on this link 12 ms apart, 25 s after sending' });
    expect(classifyClick({ ...soon, at: ms(soon.at, 12) }, twin(0)).reason).toBe('scanner_pair');
    expect(classifyClick(soon, twin(-TRACKING_POLICY.scannerPairMs)).reason).toBe('scanner_pair');
    // A person's double click (hundreds of ms) at the same moment is a person.
    expect(classifyClick(soon, twin(180))).toEqual({ human: true, reason: 'human' });
    // Another link that fast is a burst, not a pair.
    expect(classifyClick(soon, [{ kind: 'click', linkId: 8, ip: base.ip, at: ms(soon.at, 12) }]).reason).toBe('burst');
    // Long after the scanners' time, even a fast pair is given to the reader.
    const later = { ...base, at: ms(sentAt, TRACKING_POLICY.scannerPairWindowMs + 60_000) };
    expect(classifyClick(later, twin(12, later.at))).toEqual({ human: true, reason: 'human' });
  });

  it('HEAD probes are machines', () => {
    expect(classifyClick({ ...base, method: 'HEAD' }, [])).toEqual({ human: false, reason: 'head_request' });
  });
});

it('knows Apple’s address space', () => {
  expect(['17.0.0.1', '17.255.255.255', '2620:149:a44::10', '2a01:b740::1'].map(isAppleAddress)).toEqual([true, true, true, true]);
  expect(['171.0.0.1', '1.17.0.1', '2620:150::1', null].map(isAppleAddress)).toEqual([false, false, false, false]);
});

it('knows Gmail proxy addresses', () => {
  expect(['66.249.84.1', '::ffff:66.102.8.3', '74.125.1.1', '2a00:1450:4001::5'].map(isGoogleProxyAddress)).toEqual([true, true, true, true]);
  expect(['66.249.96.1', '8.8.8.8', '203.0.113.5', '2001:db8::1', 'garbage', null].map(isGoogleProxyAddress)).toEqual([false, false, false, false, false, false]);
});

it('bounds what headers may put in the database', () => {
  const f = boundFacts({ userAgent: `${SAFARI} ${'x'.repeat(10_000)}`, ip: '203.0.113.5' });
  expect(f.userAgent).toHaveLength(MAX_USER_AGENT);
  expect(f.userAgent!.startsWith(SAFARI)).toBe(true);
  expect(boundFacts({ userAgent: null, ip: 'not-an-address, 1.2.3.4' })).toEqual({ userAgent: null, ip: null });
  expect(boundFacts({ userAgent: 'a', ip: '2001:db8::1' }).ip).toBe('2001:db8::1');
});

it('states delays as history reads them', () => {
  expect([duration(0), duration(45_500), duration(119_999), duration(4 * 60_000 + 5000), duration(3 * 3_600_000)]).toEqual(['0 s', '45 s', '119 s', '4 min', '3 h']);
});
