/**
 * What a request's headers can do to tracking: X-Forwarded-For counts only when TRUST_PROXY names
 * our reverse proxy (off by default), so a forged one cannot choose the address a hit is judged
 * and recorded by; the agent and address stored per hit are bounded.
 */
import { ConfigError, loadConfig } from '../../server/infra/config/config.js';
import { startWorld, type World } from '../support/world.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';
import { clickPaths, createLink, deliver, executions, hit, leadNotes, noteTrigger, pixelPath, sentAgo, settledTracking, UA } from './tracking-helpers.js';

describe('TRUST_PROXY', () => {
  const trust = (v?: string) => loadConfig(v === undefined ? {} : { TRUST_PROXY: v }).trustProxy;

  it('takes Express’s forms and is off by default', () => {
    expect(trust()).toBe(false);
    expect([trust('false'), trust('true'), trust('TRUE'), trust('0'), trust('2')]).toEqual([false, true, true, 0, 2]);
    expect(trust('loopback, 10.0.0.0/8,2001:db8::/32 , 192.168.1.7,172.16.0.0/255.240.0.0,uniquelocal')).toEqual([
      'loopback', '10.0.0.0/8', '2001:db8::/32', '192.168.1.7', '172.16.0.0/255.240.0.0', 'uniquelocal',
    ]);
  });

  it.each(['yes', '10.0.0.0/33', 'proxy.example', '10.0.0.1/8/8', '2001:db8::/129', ' , ', '-1'])('refuses %j, naming the variable', (v) => {
    expect(() => loadConfig({ TRUST_PROXY: v })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: v })).toThrow(/TRUST_PROXY: must be false, true, a hop count/);
  });
});

describe('a forged X-Forwarded-For', () => {
  let w: World;
  let sink: SmtpSink;
  let mailboxId: string;
  let templateId: string;
  let trigger: string;
  let linkId: number;

  beforeAll(async () => {
    w = await startWorld(); // TRUST_PROXY unset: the default
    sink = await startSmtpSink();
    mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
    trigger = await noteTrigger(w, 'forged XFF clicked');
    linkId = (await createLink(w, { name: 'Offer', triggerIds: [trigger] })).id;
    templateId = await createTemplate(w, w.user, { subject: 'Offer', html: `<html><body><a href="{{triggerlink ${linkId}}}">Offer</a></body></html>` });
  });
  afterAll(async () => {
    await sink.close();
    await w.stop();
  });

  const storedHits = async (emailId: string) =>
    (await w.server.services.db.query<{ kind: string; ip: string | null; user_agent: string | null; human: boolean; reason: string }>(
      'SELECT kind, ip, user_agent, human, reason FROM tracking_hits WHERE email_id = $1 ORDER BY id',
      [emailId],
    )).rows;

  /** A honeypot hit half a minute ago from the socket's own address, then a browser click claiming another one. */
  async function honeypotThenForgedClick(): Promise<string> {
    const m = await deliver(w, sink, { mailboxId, templateId, contactIds: [w.crm.contactId] });
    await sentAgo(w, m.id, 10 * 60_000);
    const paths = clickPaths(m.html);
    await hit(w, paths.find((p) => p.linkId === 0)!.path, UA.chrome).expect(200);
    // Outside the burst window, inside the same address's minute: stated, not slept.
    await w.server.services.db.query("UPDATE tracking_hits SET at = at - interval '30 seconds' WHERE email_id = $1", [m.id]);
    await hit(w, paths.find((p) => p.linkId === linkId)!.path, UA.chrome, '203.0.113.99').expect(200);
    return m.id;
  }

  it('is ignored by default: it decides neither the verdict nor the address recorded', async () => {
    const m = await deliver(w, sink, { mailboxId, templateId, contactIds: [w.crm.contactId] });
    const pixel = pixelPath(m.html);
    // A reader's own client claiming to be Apple's proxy or Google's, or a scanner's address.
    for (const ip of ['17.58.63.12', '66.249.84.1', '40.94.1.1']) await hit(w, pixel, UA.safari, ip).expect(200);
    const opens = await storedHits(m.id);
    expect(opens.map((h) => [h.human, h.reason])).toEqual(Array(3).fill([true, 'human']));
    opens.forEach((h) => expect(h.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/));

    // A scanner caught by the honeypot cannot pass its next click off as someone else's.
    const caught = await honeypotThenForgedClick();
    const t = await settledTracking(w, caught);
    expect(t.hits.find((h) => h.kind === 'click')).toMatchObject({ human: false, reason: 'honeypot', outcome: 'machine' });
    expect((await storedHits(caught)).map((h) => h.ip)).toEqual([expect.stringMatching(/127\.0\.0\.1$/), expect.stringMatching(/127\.0\.0\.1$/)]);
    expect(await executions(w, trigger)).toEqual([]);
  });

  it('counts once TRUST_PROXY names our proxy, and only as a real address', async () => {
    await w.restart({ TRUST_PROXY: 'loopback' });
    const m = await deliver(w, sink, { mailboxId, templateId, contactIds: [w.crm.contactId] });
    const pixel = pixelPath(m.html);
    await hit(w, pixel, UA.safari, '17.58.63.12').expect(200);
    await hit(w, pixel, UA.safari, 'not-an-address').expect(200);
    expect((await storedHits(m.id)).map((h) => [h.ip, h.human, h.reason])).toEqual([
      ['17.58.63.12', false, 'apple_mpp_ip'],
      [null, true, 'human'],
    ]);

    const clicked = await honeypotThenForgedClick();
    const t = await settledTracking(w, clicked);
    expect(t.hits.find((h) => h.kind === 'click')).toMatchObject({ human: true, reason: 'human', outcome: 'fired' });
    await eventually(() => expect(leadNotes(w, 'forged XFF clicked')).toBe(1), { timeoutMs: 10_000 });
  });

  it('stores at most 512 characters of a User-Agent, in the hit and in the history event', async () => {
    const m = await deliver(w, sink, { mailboxId, templateId, contactIds: [w.crm.contactId] });
    const long = `${UA.safari} ${'x'.repeat(8000)}`;
    await hit(w, pixelPath(m.html), long).expect(200);
    await hit(w, clickPaths(m.html).find((p) => p.linkId === linkId)!.path, long).expect(200);
    await settledTracking(w, m.id);
    const stored = await storedHits(m.id);
    expect(stored.map((h) => h.user_agent)).toEqual([long.slice(0, 512), long.slice(0, 512)]);
    const events = await w.server.services.db.query<{ ua: string }>("SELECT data->>'userAgent' AS ua FROM email_events WHERE email_id = $1 AND type = 'opened'", [m.id]);
    expect(events.rows).toEqual([{ ua: long.slice(0, 512) }]);
  });
});
