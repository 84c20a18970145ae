/**
 * Human or machine? Pure functions over what a hit carries (user agent, IP, method, timing and
 * the other hits of the same mail). The evidence, per sending-rules.md "Tracking honesty":
 *  - mail-privacy proxies fetch every image whether or not anyone reads the mail: Apple Mail
 *    Privacy Protection (Apple's own 17.0.0.0/8 and a bare "Mozilla/5.0" agent), Gmail's image
 *    proxy (fetches at delivery as well as on open, hiding the reader), Yahoo's mail proxy;
 *  - link scanners (Microsoft SafeLinks, Mimecast, Proofpoint, Barracuda) follow every link of a
 *    message within about a second of each other, typically 20–60 s after delivery, and some
 *    announce themselves or are plain HTTP libraries;
 *  - the hidden honeypot link (honeypot.ts) is only ever followed by machines;
 *  - nobody receives, opens, reads and clicks within a few seconds of the send.
 */
import type { HitReason } from '../../../shared/schemas/tracking.js';

export interface Verdict {
  human: boolean;
  reason: HitReason;
}

export const TRACKING_POLICY = {
  /** "Within about a second" plus network jitter between the scanner's parallel requests. */
  burstMs: 1500,
  /** A honeypot hit condemns the same IP's clicks on that mail this long either side of it. */
  honeypotIpWindowMs: 60_000,
  /** Clicks sooner than this after the send are machines (delivery-time scanning). */
  minHumanClickMs: 5000,
  /** A burst is only visible after the fact: clicks are decided this long after they arrive. */
  settleMs: 2000,
};

export interface HitFacts {
  userAgent: string | null;
  ip: string | null;
  method?: string;
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
  if (/GoogleImageProxy|ggpht\.com/i.test(ua)) return { human: false, reason: 'gmail_image_proxy' };
  if (/YahooMailProxy/i.test(ua)) return { human: false, reason: 'yahoo_mail_proxy' };
  if (isAppleAddress(f.ip)) return { human: false, reason: 'apple_mpp_ip' };
  // Apple MPP's proxies send exactly this, with no platform or engine details.
  if (ua === 'Mozilla/5.0') return { human: false, reason: 'apple_mpp_agent' };
  if (SCANNER_AGENTS.some((r) => r.test(ua))) return { human: false, reason: 'scanner_agent' };
  if (BOT_AGENT.test(ua)) return { human: false, reason: 'bot_agent' };
  return null;
}

export function classifyOpen(f: HitFacts): Verdict {
  return machineByAgent(f) ?? { human: true, reason: 'human' };
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
export function classifyClick(f: ClickFacts, others: NeighbourHit[], policy = TRACKING_POLICY): Verdict {
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
  if (f.at.getTime() - f.sentAt.getTime() < policy.minHumanClickMs) return { human: false, reason: 'too_fast' };
  return { human: true, reason: 'human' };
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
