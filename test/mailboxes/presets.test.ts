/**
 * Provider presets (GET /api/mailbox-presets) fill the widget's quick set-up; a mailbox created
 * with one gets its pacing and daily cap unless it names its own.
 */
import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { startWorldWithSink, stopWorldWithSink } from '../support/send-helpers.js';
import { mailboxPayload } from '../support/mailbox-payload.js';

let w: World;
let sink: SmtpSink;
beforeAll(async () => {
  ({ w, sink } = await startWorldWithSink());
});
afterAll(() => stopWorldWithSink(w, sink));

it('offers Yandex Mail next to Gmail, Google Workspace, Microsoft 365 and a hosting mailbox', async () => {
  const res = await w.api(w.user).get('/api/mailbox-presets');
  expect(res.status).toBe(200);
  expect(Object.keys(res.body)).toEqual(['gmail', 'google_workspace', 'microsoft365', 'yandex', 'generic']);
  expect(res.body.yandex).toMatchObject({
    label: 'Yandex Mail',
    smtp: { host: 'smtp.yandex.com', port: 465, security: 'tls' },
    imap: { host: 'imap.yandex.com', port: 993, tls: true },
  });
});

it('gives a Yandex mailbox a personal mailbox’s pace and daily cap', async () => {
  const body: Record<string, unknown> = { ...mailboxPayload(sink), preset: 'yandex' };
  delete body.pacing;
  delete body.dailyCap;
  const res = await w.api(w.user).post('/api/mailboxes').send(body);
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ preset: 'yandex', pacing: { messages: 1, seconds: 2 }, dailyCap: 450 });
});
