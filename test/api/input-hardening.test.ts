import http from 'node:http';
import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { mailboxPayload } from '../support/mailbox-payload.js';
import { widgetToken } from '../support/widget-token.js';
import type { TokenClaims } from '../support/widget-token.js';
import { useWorldAndSink } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
useWorldAndSink({}, (x) => ({ w, sink } = x));

/** A raw request, so a body can be exactly as broken as a hostile client makes it. */
function rawPost(who: TokenClaims, path: string, contentType: string, body: Buffer): Promise<{ status: number; body: { error: { code: string; message: string } } }> {
  const url = new URL(w.server.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path, method: 'POST', headers: { 'x-auth-token': widgetToken(who), 'content-type': contentType, 'content-length': String(body.length) } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function multipart(parts: Array<{ name: string; filename?: string; content: string }>, boundary: string, close = true): Buffer {
  const chunks = parts.map((p) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n` +
    `${p.filename ? 'Content-Type: text/plain\r\n' : ''}\r\n${p.content}\r\n`,
  );
  return Buffer.from(chunks.join('') + (close ? `--${boundary}--\r\n` : ''));
}

const templateJson = JSON.stringify({ name: 'With files', subject: 's', html: '<p>x</p>' });

describe('hostile input is a 400 naming the field, never a 500', () => {
  it('refuses a NUL byte in any text field, wherever it is', async () => {
    const name = await w.api(w.user).post('/api/templates').send({ name: 'a\u0000b', subject: 's', html: '<p>x</p>' });
    expect(name.status).toBe(400);
    expect(name.body.error.message).toBe('body.name: must not contain a NUL byte (\\0)');
    const nested = await w.api(w.user).post('/api/mailboxes').send({ ...mailboxPayload(sink), smtp: { ...(mailboxPayload(sink).smtp as object), username: 'x\u0000' } });
    expect(nested.status).toBe(400);
    expect(nested.body.error.message).toMatch(/^body\.smtp\.username: must not contain a NUL byte/);
    const inArray = await w.api(w.user).post('/api/emails').send({ entityType: 'leads', entityId: w.crm.leadId, to: ['a@client.example', 'x\u0000@client.example'], subject: 's', html: 'x' });
    expect(inArray.status).toBe(400);
    expect(inArray.body.error.message).toMatch(/^body\.to\.1: must not contain a NUL byte/);
    const inArrayObject = await w.api(w.user).post('/api/mailings').send({ entityType: 'leads', ids: [1, 2], mailboxId: 'responsible', subject: 's', html: 'x', triggers: { sent: [{ key: 'v\u0000' }] } });
    expect(inArrayObject.status).toBe(400);
    expect(inArrayObject.body.error.message).toMatch(/^body\.triggers\.sent\.0\.key: must not contain a NUL byte/);
    const query = await w.api(w.user).get(`/api/emails?entityType=leads&entityId=${w.crm.leadId}&limit=5%00`);
    expect(query.status).toBe(400);
    expect(query.body.error.message).toMatch(/^query\.limit: must not contain a NUL byte/);
    const multipartField = await rawPost(w.user, '/api/templates', 'multipart/form-data; boundary=b0', multipart([{ name: 'json', content: JSON.stringify({ name: 'n', subject: 's\u0000', html: 'x' }) }], 'b0'));
    expect(multipartField.status).toBe(400);
    expect(multipartField.body.error.message).toMatch(/^body\.subject: must not contain a NUL byte/);
  });

  it('refuses too many files, a file under another field name and a truncated multipart body', async () => {
    const files = Array.from({ length: 21 }, (_, i) => ({ name: 'files', filename: `f${i}.txt`, content: 'x' }));
    const tooMany = await rawPost(w.user, '/api/templates', 'multipart/form-data; boundary=b1', multipart([{ name: 'json', content: templateJson }, ...files], 'b1'));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toBe('files: at most 20 files per upload');

    const otherField = await rawPost(w.user, '/api/templates', 'multipart/form-data; boundary=b2', multipart([{ name: 'json', content: templateJson }, { name: 'attachment', filename: 'a.txt', content: 'x' }], 'b2'));
    expect(otherField.status).toBe(400);
    expect(otherField.body.error.message).toMatch(/^attachment: unexpected file field/);

    const truncated = await rawPost(w.user, '/api/templates', 'multipart/form-data; boundary=b3', multipart([{ name: 'json', content: templateJson }, { name: 'files', filename: 'a.txt', content: 'half a fi' }], 'b3', false).subarray(0, -4));
    expect(truncated.status).toBe(400);
    expect(truncated.body.error).toMatchObject({ code: 'VALIDATION', message: 'files: the multipart body is truncated or malformed (Unexpected end of form)' });
  });

  it('refuses a sender name with a line break when the mailbox is saved', async () => {
    for (const fromName of ['Maria\r\nBcc: all@victim.example', 'Maria\nSales']) {
      const res = await w.api(w.user).post('/api/mailboxes').send({ ...mailboxPayload(sink), fromName });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('body.fromName: must be one line (no line breaks)');
    }
  });

  it('refuses true and [587] for a number instead of coercing them, and still reads digits from a query string', async () => {
    for (const port of [true, [587], '', '1e3']) {
      const res = await w.api(w.user).post('/api/mailboxes').send({ ...mailboxPayload(sink), smtp: { ...(mailboxPayload(sink).smtp as object), port } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^body\.smtp\.port: /);
    }
    const linkId = await w.api(w.admin).get('/api/trigger-links/true');
    expect(linkId.status).toBe(400);
    expect(linkId.body.error.message).toMatch(/^params\.id: must be a trigger link id/);
    const history = await w.api(w.user).get(`/api/emails?entityType=leads&entityId=${w.crm.leadId}&limit=7`);
    expect(history.status).toBe(200);
  });
});
