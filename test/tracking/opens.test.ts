/**
 * Opens: privacy proxies and prefetchers are machines and fire nothing; the first human open
 * fires "opened" once; a human click counts as the open when the pixel never loaded; Gmail's
 * proxy fetching well after delivery is a reader. Counts appear in the mail's history and in the
 * statistics.
 */
import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';
import { clickPaths, createLink, deliver, deliveredMinuteAgo, executions, hit, leadNotes, noteTrigger, pixelPath, sentAgo, settledTracking, UA } from './tracking-helpers.js';
import { useWorldAndSink } from '../support/use-world.js';

const TASK_NOTE = 'Call the client that has opened the offer';
let w: World;
let sink: SmtpSink;
let mailboxId: string;
let callTask: string;
let templateId: string;

// Readers at several addresses behind our own reverse proxy (X-Forwarded-For from loopback).
useWorldAndSink({ env: { TRUST_PROXY: 'loopback' } }, (x) => ({ w, sink } = x));
beforeAll(async () => {
  mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  callTask = await noteTrigger(w, TASK_NOTE);
  const link = await createLink(w, { name: 'Offer', redirectUrl: 'https://acme.example/offer' });
  templateId = await createTemplate(w, w.user, {
    subject: 'Offer',
    html: `<html><body><p><a href="{triggerlink:${link.id}}">Read the offer</a></p></body></html>`,
    triggers: { opened: [callTask] },
  });
});

/** What the engine recorded for this mail's "opened" point (recorded by fire() before it returns). */
const openedRuns = async (emailId: string) => (await executions(w, callTask)).filter((e) => e.email_id === emailId);

it('a machine open (Gmail proxy, Apple MPP by range or agent, Yahoo proxy) fires nothing; the first human open fires "opened" once', async () => {
  const m = await deliver(w, sink, { mailboxId, templateId, contactIds: [w.crm.contactId] });
  const pixel = pixelPath(m.html);
  for (const [ua, ip] of [
    [UA.gmailProxy, '66.249.84.1'],
    [UA.safari, '17.58.63.12'], // Apple's own /8 behind our proxy: TRUST_PROXY reads X-Forwarded-For
    [UA.appleMpp, '104.28.1.1'],
    [UA.yahooProxy, '98.136.1.1'],
    [UA.chrome, '2620:149:a44::10'],
  ] as const) {
    const res = await hit(w, pixel, ua, ip);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
  }
  let view = (await w.api(w.user).get(`/api/emails/${m.id}`)).body;
  expect(view.tracking).toMatchObject({ humanOpens: 0, machineOpens: 5, firstHumanOpenAt: null });
  expect(view.tracking.hits.map((h: { reason: string }) => h.reason).sort()).toEqual(['apple_mpp_agent', 'apple_mpp_ip', 'apple_mpp_ip', 'gmail_image_proxy', 'yahoo_mail_proxy']);
  expect(await openedRuns(m.id)).toEqual([]);
  expect(leadNotes(w, TASK_NOTE)).toBe(0);

  await hit(w, pixel, UA.safari, '203.0.113.50').expect(200);
  await hit(w, pixel, UA.safari, '203.0.113.50').expect(200);
  view = (await w.api(w.user).get(`/api/emails/${m.id}`)).body;
  expect(view.tracking).toMatchObject({ humanOpens: 2, machineOpens: 5, firstHumanOpenAt: expect.any(String) });
  expect(view.opens).toBe(7);
  expect(view.tracking.hits.slice(0, 2).map((h: { outcome: string }) => h.outcome)).toEqual(['already_fired', 'fired']);
  expect(await openedRuns(m.id)).toEqual([{ event_key: `opened:${m.id}`, point: 'opened', email_id: m.id }]);
  await eventually(() => expect(leadNotes(w, TASK_NOTE)).toBe(1), { timeoutMs: 10_000 });
});

it('a forged pixel still answers the GIF and records nothing', async () => {
  const m = await deliver(w, sink, { mailboxId, templateId, contactIds: [w.crm.contactId] });
  const res = await hit(w, `/t/o/${m.id}.AAAAAAAAAAAAAAAAAAAAAA.gif`, UA.safari);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('image/gif');
  expect((await w.api(w.user).get(`/api/emails/${m.id}`)).body.tracking.hits).toEqual([]);
});

it('a human click counts as the open when the pixel was blocked, and fires "opened" once', async () => {
  const m = await deliver(w, sink, { mailboxId, templateId, contactIds: [w.crm.secondContactId] });
  await deliveredMinuteAgo(w, m.id);
  const link = clickPaths(m.html).find((l) => l.linkId !== 0)!;
  expect((await hit(w, link.path, UA.chrome, '203.0.113.60')).status).toBe(302);
  const t = await settledTracking(w, m.id);
  expect(t).toMatchObject({ humanOpens: 1, machineOpens: 0, humanClicks: 1, machineClicks: 0, firstHumanOpenAt: expect.any(String) });
  // "opened" fires just after the click's verdict commits: awaited, not read at once.
  await eventually(async () => expect(await openedRuns(m.id)).toHaveLength(1), { timeoutMs: 10_000 });
  await eventually(() => expect(leadNotes(w, TASK_NOTE)).toBe(2), { timeoutMs: 10_000 });

  // The pixel loading later is a second human open, not a second "opened".
  await hit(w, pixelPath(m.html), UA.chrome, '203.0.113.60').expect(200);
  expect((await w.api(w.user).get(`/api/emails/${m.id}`)).body.tracking.humanOpens).toBe(2);
  expect(await openedRuns(m.id)).toHaveLength(1);
});

it('returns both counts and the reasons in history and in the statistics', async () => {
  const history = await w.api(w.user).get(`/api/emails?entityType=leads&entityId=${w.crm.leadId}`);
  expect(history.status).toBe(200);
  const totals = history.body.reduce(
    (acc: number[], e: { tracking: { humanOpens: number; machineOpens: number; humanClicks: number } }) => [acc[0]! + e.tracking.humanOpens, acc[1]! + e.tracking.machineOpens, acc[2]! + e.tracking.humanClicks],
    [0, 0, 0],
  );
  expect(totals).toEqual([4, 5, 1]);

  const stats = await w.api(w.user).get(`/api/stats/emails?templateId=${templateId}`);
  expect(stats.status).toBe(200);
  expect(stats.body).toMatchObject({ emails: 3, sent: 3, openedByHuman: 2, clickedByHuman: 1, humanOpens: 4, machineOpens: 5, humanClicks: 1, machineClicks: 0 });
  expect(stats.body.reasons).toEqual(
    expect.arrayContaining([
      { kind: 'open', human: false, reason: 'apple_mpp_ip', count: 2 },
      { kind: 'open', human: true, reason: 'human', count: 3 },
      { kind: 'click', human: true, reason: 'human', count: 1 },
    ]),
  );
  expect(stats.body.links).toEqual([expect.objectContaining({ name: 'Offer', humanClicks: 1, machineClicks: 0, fired: 0 })]);

  const perLead = await w.api(w.user).get(`/api/stats/emails?entityType=leads&entityId=${w.crm.leadId}`);
  expect(perLead.body.emails).toBe(3);
  const bad = await w.api(w.user).get(`/api/stats/emails?entityId=${w.crm.leadId}`);
  expect(bad.status).toBe(400);
});

it('a Gmail-proxy fetch minutes after delivery is the reader: it fires "opened" and history says why; Apple MPP stays a machine', async () => {
  const m = await deliver(w, sink, { mailboxId, templateId, contactIds: [w.crm.contactId] });
  const pixel = pixelPath(m.html);
  // At delivery: Gmail scanning the mail, like Apple's prefetch.
  await hit(w, pixel, UA.gmailProxy, '66.249.84.1').expect(200);
  await hit(w, pixel, UA.safari, '17.58.63.12').expect(200);
  let view = (await w.api(w.user).get(`/api/emails/${m.id}`)).body;
  expect(view.tracking.hits.map((h: { human: boolean; reason: string }) => [h.human, h.reason]).sort()).toEqual([
    [false, 'apple_mpp_ip'],
    [false, 'gmail_image_proxy'],
  ]);
  expect(await openedRuns(m.id)).toEqual([]);

  // Four minutes later the reader opens it in Gmail; Apple's proxy fetching again is still Apple.
  await sentAgo(w, m.id, 4 * 60_000 + 5000);
  await hit(w, pixel, UA.safari, '17.58.63.12').expect(200);
  await hit(w, pixel, UA.gmailProxy, '66.249.84.1').expect(200);
  view = (await w.api(w.user).get(`/api/emails/${m.id}`)).body;
  expect(view.tracking.hits[0]).toMatchObject({ kind: 'open', human: true, reason: 'gmail_proxy_open', detail: 'gmail proxy, 4 min after delivery', outcome: 'fired' });
  expect(view.tracking.hits[1]).toMatchObject({ human: false, reason: 'apple_mpp_ip', outcome: 'machine' });
  expect(view.tracking).toMatchObject({ humanOpens: 1, machineOpens: 3, firstHumanOpenAt: expect.any(String) });
  expect(await openedRuns(m.id)).toEqual([{ event_key: `opened:${m.id}`, point: 'opened', email_id: m.id }]);
  await eventually(() => expect(leadNotes(w, TASK_NOTE)).toBe(3), { timeoutMs: 10_000 });
});

// Last: it leaves a mail queued an hour ahead and adds "opened" notes to the shared lead.
it('a mail left unknown by a crash, or partly delivered while a recipient is retried, counts its opens', async () => {
  const db = w.server.services.db;
  for (const state of [
    "status = 'unknown'",
    `status = 'queued', delivered_recipients = '["first@client.example"]', not_before = now() + interval '1 hour'`,
  ]) {
    const m = await deliver(w, sink, { mailboxId, templateId, contactIds: [w.crm.contactId] });
    await db.query(`UPDATE emails SET ${state} WHERE id = $1`, [m.id]);
    await hit(w, pixelPath(m.html), UA.safari, '203.0.113.70').expect(200);
    await eventually(async () => {
      const view = (await w.api(w.user).get(`/api/emails/${m.id}`)).body;
      expect(view.tracking.hits).toHaveLength(1);
      expect(await openedRuns(m.id)).toHaveLength(1);
    });
  }
});
