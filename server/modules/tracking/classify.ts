/**
 * Human or machine? Pure functions over what a hit carries (user agent, IP, method, timing and
 * the other hits of the same mail). The evidence, per sending-rules.md "Tracking honesty":
 *  - mail-privacy proxies fetch images whether or not anyone reads the mail: Apple Mail Privacy
 *    Protection prefetches at delivery (Apple's own 17.0.0.0/8 and a bare "Mozilla/5.0" agent),
 *    Yahoo's mail proxy likewise. Gmail's image proxy is different: it fetches when the reader
 *    opens the mail, so only its fetches right at delivery are scans (see gmailOpenAfterMs);
 *  - link scanners (Microsoft SafeLinks, Mimecast, Proofpoint, Barracuda) follow every link of a
 *    message within about a second of each other, typically 20–60 s after delivery, and some
 *    announce themselves or are plain HTTP libraries; some request the same link twice a few ms
 *    apart (a probe and a fetch, or two engines);
 *  - the hidden honeypot link (honeypot.ts) is only ever followed by machines;
 *  - nobody receives, opens, reads and clicks within a few seconds of the send.
 */
import net from 'node:net';
import type { HitReason } from '../../../shared/schemas/tracking.js';

export interface Verdict {
  human: boolean;
  reason: HitReason;
  /** The evidence in words for history, when the reason code alone does not say it. */
  detail?: string;
}

export const TRACKING_POLICY = {
  /** "Within about a second" plus network jitter between the scanner's parallel requests. */
  burstMs: 1500,
  /** A honeypot hit condemns the same IP's clicks on that mail this long either side of it. */
  honeypotIpWindowMs: 60_000,
  /** Clicks sooner than this after the send are machines (delivery-time scanning). */
  minHumanClickMs: 5000,
  /**
   * Two requests for the same link this close together are one machine, not a double click: a
   * person's fastest double click is ~100 ms between presses (OS double-click thresholds default
   * to 400–500 ms), and a browser sends one navigation per click.
   */
  scannerPairMs: 50,
  /**
   * ...but only while scanners are at work: they detonate links at delivery, typically 20–60 s
   * after it (sending-rules.md). Later, a fast pair is given the benefit of the doubt (network
   * jitter can squeeze a real double click), so a reader's double click still fires.
   */
  scannerPairWindowMs: 2 * 60_000,
  /**
   * A Gmail image-proxy fetch this long after our send is a person opening the mail. Gmail fetches
   * on open (Word to the Wise, "Gmail deploys image proxy servers", Dec 2013; sending-rules.md),
   * but senders also see proxy fetches "directly after emails were sent" (Email Geeks via Suped,
   * "How does Gmail's image proxy affect email open tracking", 2020–2025), i.e. scans at delivery
   * that land within a minute or so; filters in use treat the first ~3 minutes of Gmail-proxy
   * traffic as suspect. Two minutes after our send covers relay delay to Gmail plus the scan.
   */
  gmailOpenAfterMs: 2 * 60_000,
  /** A click is decided this long after it arrives, so a burst's later hits are seen first. */
  settleMs: 2000,
  /**
   * Every-time trigger links fire at most this often per link and entity per hour: a reader
   * clicks a link a few times, a replayed URL thousands (every fire is Kommo API calls).
   */
  fireCapPerHour: 10,
};
export type TrackingPolicy = typeof TRACKING_POLICY;

/** Header-derived values are bounded before they are judged or stored. */
export const MAX_USER_AGENT = 512;

export interface HitFacts {
  userAgent: string | null;
  ip: string | null;
  method?: string;
  /**
   * When the hit arrived. The routes leave it out (the database's now(), one clock for every
   * process); tests give explicit times instead of sleeping.
   */
  at?: Date;
}

/** What a request's headers may put in the database: a bounded agent, a real IP address or null. */
export function boundFacts(f: HitFacts): HitFacts {
  const ua = f.userAgent?.slice(0, MAX_USER_AGENT) ?? null;
  const ip = f.ip && net.isIP(f.ip) ? f.ip : null;
  return { ...f, userAgent: ua, ip };
}

/** Substring → why. Security gateways that pre-click links, and bare HTTP clients. */
const SCANNER_AGENTS: RegExp[] = [
  /microsoft office|ms-office|safelinks|office365|outlook-ios-prefetch/i, // SafeLinks detonation, Office protocol discovery
  /bingpreview/i,
  /barracuda/i,
  /mimecast/i,
  /proofpoint/i,
  /symantec|messagelabs|trend ?micro|forcepoint|sophos|fortiguard|cisco|ironport|zscaler/i,
  /python-requests|python-urllib|aiohttp|httpx/i,
  /^curl\/|^wget\/|go-http-client|okhttp|^java\/|apache-httpclient|libwww-perl|node-fetch|^axios\/|^undici|^got /i,
  /headlesschrome|phantomjs|puppeteer|playwright/i,
];
// "Googlebot/2.1", "LinkedInBot/1.0", "(compatible; SomeBot)"; not a phone model like "CUBOT X30".
const BOT_AGENT = /\b(bot|crawler|spider|slurp|scanner|fetcher|preview)\b|[a-z]bot\/|compatible;[^)]*bot|facebookexternalhit/i;

export function machineByAgent(f: HitFacts): Verdict | null {
  // Browsers never follow a link with HEAD; scanners probing for a redirect do.
  if (f.method === 'HEAD') return { human: false, reason: 'head_request' };
  const ua = (f.userAgent ?? '').trim();
  // Every mail client and browser sends a User-Agent.
  if (!ua) return { human: false, reason: 'no_user_agent' };
  if (/GoogleImageProxy|ggpht\.com/i.test(ua) || isGoogleProxyAddress(f.ip)) return { human: false, reason: 'gmail_image_proxy' };
  if (/YahooMailProxy/i.test(ua)) return { human: false, reason: 'yahoo_mail_proxy' };
  if (isAppleAddress(f.ip)) return { human: false, reason: 'apple_mpp_ip' };
  // Apple MPP's proxies send exactly this, with no platform or engine details.
  if (ua === 'Mozilla/5.0') return { human: false, reason: 'apple_mpp_agent' };
  if (SCANNER_AGENTS.some((r) => r.test(ua))) return { human: false, reason: 'scanner_agent' };
  if (BOT_AGENT.test(ua)) return { human: false, reason: 'bot_agent' };
  return null;
}

export interface OpenFacts extends HitFacts {
  /** When the open arrived and when the mail was sent (null while still sending). */
  at: Date;
  sentAt: Date | null;
}

export function classifyOpen(f: OpenFacts, policy: TrackingPolicy = TRACKING_POLICY): Verdict {
  const byAgent = machineByAgent(f);
  if (!byAgent) return { human: true, reason: 'human' };
  if (byAgent.reason !== 'gmail_image_proxy') return byAgent;
  // Gmail's proxy fetches when the reader opens the mail; only its fetch at delivery is a scan.
  if (!f.sentAt) return { ...byAgent, detail: 'gmail proxy, before the send was recorded' };
  const after = f.at.getTime() - f.sentAt.getTime();
  const detail = `gmail proxy, ${duration(after)} after delivery`;
  return after >= policy.gmailOpenAfterMs ? { human: true, reason: 'gmail_proxy_open', detail } : { ...byAgent, detail };
}

export interface NeighbourHit {
  kind: string;
  linkId: number | null;
  ip: string | null;
  at: Date;
}

export interface ClickFacts extends HitFacts {
  at: Date;
  linkId: number;
  sentAt: Date | null;
}

/** `others`: the mail's other click and honeypot hits around this one. */
export function classifyClick(f: ClickFacts, others: NeighbourHit[], policy: TrackingPolicy = TRACKING_POLICY): Verdict {
  const byAgent = machineByAgent(f);
  if (byAgent) return byAgent;
  const gap = (h: NeighbourHit): number => Math.abs(h.at.getTime() - f.at.getTime());
  const trapped = others.some(
    (h) => h.kind === 'honeypot' && (gap(h) <= policy.burstMs || (h.ip !== null && h.ip === f.ip && gap(h) <= policy.honeypotIpWindowMs)),
  );
  if (trapped) return { human: false, reason: 'honeypot' };
  // Several different links of one mail within about a second: nobody reads that fast. The same
  // link twice is a double click, which people do.
  if (others.some((h) => h.kind === 'click' && h.linkId !== f.linkId && gap(h) <= policy.burstMs)) return { human: false, reason: 'burst' };
  if (!f.sentAt) return { human: false, reason: 'not_sent' };
  const sinceSend = f.at.getTime() - f.sentAt.getTime();
  if (sinceSend < policy.minHumanClickMs) return { human: false, reason: 'too_fast' };
  // The same link twice within tens of ms while scanners are at work: one machine, both hits.
  const twin = others
    .filter((h) => h.kind === 'click' && h.linkId === f.linkId && gap(h) <= policy.scannerPairMs)
    .sort((a, b) => gap(a) - gap(b))[0];
  if (twin && Math.min(f.at.getTime(), twin.at.getTime()) - f.sentAt.getTime() <= policy.scannerPairWindowMs) {
    return { human: false, reason: 'scanner_pair', detail: `2 hits on this link ${gap(twin)} ms apart, ${duration(sinceSend)} after sending` };
  }
  return { human: true, reason: 'human' };
}

/** "45 s", "4 min", "3 h": how history states a delay. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 2 * 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}

/**
 * Where Gmail's image proxy fetches from (google-proxy-66-249-84-*.google.com and the like):
 * Google's own netblocks as published in _netblocks.google.com / goog.json, not Google Cloud's.
 */
const GOOGLE_PROXY = new net.BlockList();
for (const [a, p] of [['66.249.80.0', 20], ['66.102.0.0', 20], ['64.233.160.0', 19], ['72.14.192.0', 18], ['74.125.0.0', 16], ['209.85.128.0', 17], ['108.177.8.0', 21]] as const) {
  GOOGLE_PROXY.addSubnet(a, p, 'ipv4');
}
for (const a of ['2001:4860:4000::', '2404:6800:4000::', '2607:f8b0:4000::', '2800:3f0:4000::', '2a00:1450:4000::', '2c0f:fb50:4000::']) GOOGLE_PROXY.addSubnet(a, 36, 'ipv6');

export function isGoogleProxyAddress(ip: string | null): boolean {
  if (!ip) return false;
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip)?.[1];
  if (v4) return net.isIPv4(v4) && GOOGLE_PROXY.check(v4, 'ipv4');
  return net.isIPv6(ip) && GOOGLE_PROXY.check(ip, 'ipv6');
}

/** Apple owns all of 17.0.0.0/8 (ARIN) plus 2620:149::/32 and 2a01:b740::/32 (AS714). */
export function isAppleAddress(ip: string | null): boolean {
  if (!ip) return false;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.exec(ip);
  if (v4) return v4[1] === '17';
  const groups = ip.toLowerCase().split(':');
  if (groups.length < 3) return false;
  const a = parseInt(groups[0]!, 16);
  const b = parseInt(groups[1]!, 16);
  return (a === 0x2620 && b === 0x0149) || (a === 0x2a01 && b === 0xb740);
}
