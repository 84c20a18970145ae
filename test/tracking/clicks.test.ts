/**
 * Trigger-link clicks: the redirect, once vs every-time links, and honest classification
 * (bursts, scanner pairs, the honeypot, scanner agents, clicks faster than a person), and the
 * hourly cap on every-time links. Effects are checked where they land: the trigger engine's
 * notes in the Kommo simulator. Timing is stated with explicit hit times (clickAt), never slept.
 */
import supertest from 'supertest';
import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';
import { clickAt, clickPaths, createLink, deliver, deliveredMinuteAgo, executions, hit, leadNotes, noteTrigger, plus, sentAgo, settledTracking, UA } from './tracking-helpers.js';
import { useWorldAndSink } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
let mailboxId: string;

// The tests stand for readers at several addresses behind our own reverse proxy.
useWorldAndSink({ env: { TRUST_PROXY: 'loopback' } }, (x) => ({ w, sink } = x));
beforeAll(async () => {
  mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
});

/** A mail with the given links, delivered to one contact of the lead. */
async function mailWith(links: { id: number }[], contactId = w.crm.contactId): Promise<{ id: string; paths: Map<number, string> }> {
  const html = `<html><body>${links.map((l, i) => `<p><a href="{{triggerlink ${l.id}}}">Link ${i}</a></p>`).join('')}</body></html>`;
  const tpl = await createTemplate(w, w.user, { subject: 'Offer', html });
  const m = await deliver(w, sink, { mailboxId, templateId: tpl, contactIds: [contactId] });
  return { id: m.id, paths: new Map(clickPaths(m.html).map((p) => [p.linkId, p.path])) };
}

describe('where a click lands', () => {
  it('redirects at once to the configured URL only, ignoring any URL in the request', async () => {
    const link = await createLink(w, { name: 'Offer PDF', redirectUrl: 'https://acme.example/offer.pdf?ref=mail' });
    const m = await mailWith([link]);
    const path = m.paths.get(link.id)!;
    for (const query of ['', '?url=https://evil.example/', '?redirect=https%3A%2F%2Fevil.example%2F&next=//evil.example']) {
      const res = await hit(w, path + query, UA.safari);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('https://acme.example/offer.pdf?ref=mail');
      expect(res.headers['cache-control']).toContain('no-store');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('shows the thank-you page when the link has no redirect URL, and a "no longer active" page once deleted', async () => {
    const link = await createLink(w, { name: 'Call me back' });
    const m = await mailWith([link]);
    const res = await hit(w, m.paths.get(link.id)!, UA.safari);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('Thank you!');

    await w.api(w.admin).delete(`/api/trigger-links/${link.id}`).expect(204);
    const gone = await hit(w, m.paths.get(link.id)!, UA.safari);
    expect(gone.status).toBe(410);
    expect(gone.headers.location).toBeUndefined();
  });
});

describe('once vs every time', () => {
  it('an "execute once" link fires once per entity across its contacts and mails; an every-time link fires per human click', async () => {
    const familiar = await noteTrigger(w, 'Familiar with the offer');
    const callMe = await noteTrigger(w, 'Asked for a call');
    const once = await createLink(w, { name: 'Familiar with the offer', executeOnce: true, redirectUrl: 'https://acme.example/offer', triggerIds: [familiar] });
    const every = await createLink(w, { name: 'Call me', executeOnce: false, triggerIds: [callMe] });
    const toJohn = await mailWith([once, every], w.crm.contactId);
    const toJane = await mailWith([once, every], w.crm.secondContactId);
    const sent = await sentAgo(w, toJohn.id, 30 * 60_000);
    await sentAgo(w, toJane.id, 30 * 60_000);

    // A person takes a few seconds between clicks (closer ones on different links are a burst).
    const click = async (m: { paths: Map<number, string> }, linkId: number, i: number) =>
      expect((await clickAt(w, m.paths.get(linkId)!, plus(sent, 10 * 60_000 + i * 3000), UA.safari)).kind).toMatch(/^(redirect|thanks)$/);
    await click(toJohn, once.id, 0);
    await click(toJohn, once.id, 1);
    // John's clicks are decided before Jane's: the once-link goes to whoever is decided first.
    await settledTracking(w, toJohn.id);
    await click(toJane, once.id, 2);
    await click(toJohn, every.id, 3);
    await click(toJane, every.id, 4);
    const john = await settledTracking(w, toJohn.id);
    const jane = await settledTracking(w, toJane.id);
    expect([john.humanClicks, john.machineClicks, jane.humanClicks, jane.machineClicks]).toEqual([3, 0, 2, 0]);

    await eventually(() => expect([leadNotes(w, 'Familiar with the offer'), leadNotes(w, 'Asked for a call')]).toEqual([1, 2]), { timeoutMs: 10_000 });
    expect(await executions(w, familiar)).toEqual([{ event_key: `click:${once.id}:leads:${w.crm.leadId}`, point: 'link_clicked', email_id: toJohn.id }]);
    const perClick = await executions(w, callMe);
    expect(perClick.map((e) => e.email_id).sort()).toEqual([toJohn.id, toJane.id].sort());
    perClick.forEach((e) => expect(e.event_key).toMatch(/^click:\d+$/));

    // History says why the second and third clicks on the once-link did nothing.
    const outcomes = [...john.hits, ...jane.hits].filter((h) => h.linkId === once.id).map((h) => h.outcome).sort();
    expect(outcomes).toEqual(['already_fired', 'already_fired', 'fired']);
  });
});

describe('machines fire nothing', () => {
  it('a scanner burst (every link within a second, the honeypot among them) fires nothing', async () => {
    const ta = await noteTrigger(w, 'burst A');
    const tb = await noteTrigger(w, 'burst B');
    const a = await createLink(w, { name: 'A', triggerIds: [ta] });
    const b = await createLink(w, { name: 'B', triggerIds: [tb] });
    const m = await mailWith([a, b]);
    await deliveredMinuteAgo(w, m.id);
    // SafeLinks-style: a browser-like agent, a cloud address, every link at once.
    await Promise.all([...m.paths.values()].map((p) => hit(w, p, UA.chrome, '40.94.1.1')));
    const t = await settledTracking(w, m.id);
    expect([t.humanClicks, t.machineClicks]).toEqual([0, 3]);
    expect(t.hits.map((h) => [h.kind, h.human]).sort()).toEqual([['click', false], ['click', false], ['honeypot', false]]);
    expect(t.hits.filter((h) => h.kind === 'click').every((h) => ['honeypot', 'burst'].includes(h.reason))).toBe(true);
    expect([...(await executions(w, ta)), ...(await executions(w, tb))]).toEqual([]);
  });

  it('two different links within a second are a burst even without the honeypot', async () => {
    const ta = await noteTrigger(w, 'pair A');
    const tb = await noteTrigger(w, 'pair B');
    const a = await createLink(w, { name: 'A2', triggerIds: [ta] });
    const b = await createLink(w, { name: 'B2', triggerIds: [tb] });
    const m = await mailWith([a, b]);
    await deliveredMinuteAgo(w, m.id);
    await Promise.all([a.id, b.id].map((id) => hit(w, m.paths.get(id)!, UA.chrome, '40.94.1.2')));
    const t = await settledTracking(w, m.id);
    expect(t.hits.map((h) => h.reason)).toEqual(['burst', 'burst']);
    expect([...(await executions(w, ta)), ...(await executions(w, tb))]).toEqual([]);
  });

  it('a honeypot hit marks the same address’s clicks on that mail as machine, even seconds apart', async () => {
    const trigger = await noteTrigger(w, 'trap neighbour');
    const link = await createLink(w, { name: 'Trap neighbour', triggerIds: [trigger] });
    const m = await mailWith([link]);
    const sent = await sentAgo(w, m.id, 10 * 60_000);
    // Seconds apart: outside any burst, inside the same address's minute.
    expect(await clickAt(w, m.paths.get(0)!, plus(sent, 60_000), UA.chrome, '198.51.100.20')).toEqual({ kind: 'thanks' });
    await clickAt(w, m.paths.get(link.id)!, plus(sent, 60_000 + 20_000), UA.chrome, '198.51.100.20');
    const t = await settledTracking(w, m.id);
    expect(t.hits.find((h) => h.kind === 'click')).toMatchObject({ human: false, reason: 'honeypot', outcome: 'machine' });
    expect(await executions(w, trigger)).toEqual([]);
  });

  it('known scanner agents, HEAD probes and clicks seconds after sending fire nothing; a person a minute later does', async () => {
    const trigger = await noteTrigger(w, 'a person read the offer');
    const link = await createLink(w, { name: 'Offer', redirectUrl: 'https://acme.example/offer', triggerIds: [trigger] });
    const m = await mailWith([link]);
    const path = m.paths.get(link.id)!;
    // Delivered just now: nobody receives, reads and clicks this fast.
    await hit(w, path, UA.safari, '203.0.113.9');
    expect((await settledTracking(w, m.id)).hits[0]).toMatchObject({ reason: 'too_fast', human: false });
    await deliveredMinuteAgo(w, m.id);
    for (const ua of [UA.safeLinks, UA.barracuda, UA.pythonRequests, null]) expect((await hit(w, path, ua)).status).toBe(302);
    expect((await supertest(w.server.url).head(path).set('User-Agent', UA.chrome)).status).toBe(302);
    await settledTracking(w, m.id);
    expect(await executions(w, trigger)).toEqual([]);

    // Only now a person, minutes after delivery and alone (sent 10 minutes ago, long past the scanners).
    await sentAgo(w, m.id, 10 * 60_000);
    expect((await hit(w, path, UA.chrome, '203.0.113.10')).status).toBe(302);
    const t = await settledTracking(w, m.id);
    expect(t.hits.map((h) => h.reason).sort()).toEqual(['head_request', 'human', 'no_user_agent', 'scanner_agent', 'scanner_agent', 'scanner_agent', 'too_fast']);
    expect([t.humanClicks, t.machineClicks]).toEqual([1, 6]);
    await eventually(() => expect(leadNotes(w, 'a person read the offer')).toBe(1), { timeoutMs: 10_000 });
  });
});

describe('the same link twice within tens of ms', () => {
  it('is a scanner soon after sending and fires nothing; one click or a double click later fires', async () => {
    const trigger = await noteTrigger(w, 'pair: a person asked');
    const link = await createLink(w, { name: 'Pair', triggerIds: [trigger] });
    const m = await mailWith([link]);
    const path = m.paths.get(link.id)!;
    const sent = await sentAgo(w, m.id, 30 * 60_000);
    // 25 s after the send, two requests 12 ms apart from a browser-like agent: SafeLinks-style.
    await Promise.all([clickAt(w, path, plus(sent, 25_000), UA.chrome, '40.94.1.3'), clickAt(w, path, plus(sent, 25_012), UA.chrome, '40.94.1.3')]);
    let t = await settledTracking(w, m.id);
    expect(t.hits.map((h) => [h.human, h.reason, h.outcome, h.detail])).toEqual([
      [false, 'scanner_pair', 'machine', '2 hits on this link 12 ms apart, 25 s after sending'],
      [false, 'scanner_pair', 'machine', '2 hits on this link 12 ms apart, 25 s after sending'],
    ]);
    expect(await executions(w, trigger)).toEqual([]);

    // The reader, minutes later: one click, then a double click (even a fast one) fire.
    await clickAt(w, path, plus(sent, 5 * 60_000), UA.safari, '203.0.113.11');
    await Promise.all([clickAt(w, path, plus(sent, 9 * 60_000), UA.safari, '203.0.113.11'), clickAt(w, path, plus(sent, 9 * 60_000 + 30), UA.safari, '203.0.113.11')]);
    t = await settledTracking(w, m.id);
    expect(t.hits.filter((h) => h.human).map((h) => [h.reason, h.outcome])).toEqual([
      ['human', 'fired'],
      ['human', 'fired'],
      ['human', 'fired'],
    ]);
    expect([t.humanClicks, t.machineClicks]).toEqual([3, 2]);
    await eventually(() => expect(leadNotes(w, 'pair: a person asked')).toBe(3), { timeoutMs: 10_000 });
  });
});

describe('the hourly cap on every-time links', () => {
  it('fires at most 10 times per link and entity per hour, across server restarts; further clicks are answered and recorded as capped', async () => {
    const trigger = await noteTrigger(w, 'capped link');
    const link = await createLink(w, { name: 'Replayed', redirectUrl: 'https://acme.example/x', triggerIds: [trigger] });
    const a = await mailWith([link], w.crm.contactId);
    const b = await mailWith([link], w.crm.secondContactId);
    const sent = await sentAgo(w, a.id, 3 * 3600_000);
    await sentAgo(w, b.id, 3 * 3600_000);
    const start = plus(sent, 10 * 60_000);
    // Two mails to contacts of the same lead: one entity, one cap. A minute apart each.
    const at = (i: number) => plus(start, i * 60_000);
    for (let i = 0; i < 6; i++) expect(await clickAt(w, (i % 2 ? b : a).paths.get(link.id)!, at(i))).toEqual({ kind: 'redirect', url: 'https://acme.example/x' });
    await settledTracking(w, a.id);
    await settledTracking(w, b.id);
    // Their notes are written before the restart (a run cut off by a stop is another matter).
    await eventually(() => expect(leadNotes(w, 'capped link')).toBe(6), { timeoutMs: 15_000 });
    // The count lives in PostgreSQL: another process goes on from it.
    await w.restart({ TRUST_PROXY: 'loopback' });
    for (let i = 6; i < 12; i++) expect(await clickAt(w, (i % 2 ? b : a).paths.get(link.id)!, at(i))).toEqual({ kind: 'redirect', url: 'https://acme.example/x' });
    const hits = [...(await settledTracking(w, a.id)).hits, ...(await settledTracking(w, b.id)).hits].sort((x, y) => x.at.localeCompare(y.at));
    expect(hits.every((h) => h.human)).toBe(true);
    // Which two are capped is the order they were decided in; the first six were decided before the restart.
    expect(hits.slice(0, 6).map((h) => h.outcome)).toEqual(Array(6).fill('fired'));
    expect(hits.map((h) => h.outcome).sort()).toEqual([...Array(2).fill('capped'), ...Array(10).fill('fired')]);
    expect(hits.filter((h) => h.outcome === 'capped').map((h) => h.detail)).toEqual(Array(2).fill('link fired 10 times for this lead within the hour'));
    // A decision is recorded before its trigger runs: the runs follow it.
    await eventually(async () => expect(await executions(w, trigger)).toHaveLength(10), { timeoutMs: 15_000 });

    // An hour after the window opened (with the first of these clicks at the latest), the link fires again.
    await clickAt(w, a.paths.get(link.id)!, plus(start, 3600_000 + 12 * 60_000));
    expect((await settledTracking(w, a.id)).hits[0]).toMatchObject({ human: true, outcome: 'fired' });
    await eventually(async () => expect(await executions(w, trigger)).toHaveLength(11), { timeoutMs: 15_000 });
    await eventually(() => expect(leadNotes(w, 'capped link')).toBe(11), { timeoutMs: 15_000 });
  }, 90_000);
});

describe('crash recovery', () => {
  it('a click whose settle job was lost is decided and fired by the sweep', async () => {
    const trigger = await noteTrigger(w, 'recovered click');
    const link = await createLink(w, { name: 'Recovered', triggerIds: [trigger] });
    const m = await mailWith([link]);
    await w.server.services.db.query("UPDATE emails SET sent_at = now() - interval '10 minutes' WHERE id = $1", [m.id]);
    // What a crash between recording a click and scheduling its verdict leaves behind.
    await w.server.services.db.query(
      `INSERT INTO tracking_hits (account_id, email_id, kind, link_id, ip, user_agent, at)
       VALUES ($1, $2, 'click', $3, '203.0.113.77', $4, now() - interval '5 minutes')`,
      [w.admin.accountId, m.id, link.id, UA.safari],
    );
    await w.server.services.tracking.sweep();
    const t = await settledTracking(w, m.id);
    expect(t.hits).toEqual([expect.objectContaining({ kind: 'click', human: true, reason: 'human', outcome: 'fired', linkId: link.id })]);
    await eventually(() => expect(leadNotes(w, 'recovered click')).toBe(1), { timeoutMs: 10_000 });
  });
});
