/** Shared steps of the mailing tests, bound to one world, SMTP sink and default mailbox. */
import type { World } from '../support/world.js';
import { SUB } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, startWorldWithSink, stopWorldWithSink } from '../support/send-helpers.js';
import type { TokenClaims } from '../support/widget-token.js';

export const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';

export interface MailingContext {
  w: World;
  sink: SmtpSink;
  /** The mailbox a mailing uses unless the test names another. */
  mailboxId: string;
}

export function mailingHelpers(ctx: () => MailingContext) {
  /** `n` leads, each with its own main contact `p<tag>-<i>@client.example`. */
  function seedLeads(tag: string, n: number, extra: (i: number) => { email?: string | null } = () => ({})): number[] {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const e = extra(i);
      const email = e.email === undefined ? `p${tag}-${i}@client.example` : e.email;
      const contacts = email === null ? [] : [ctx().w.kommo.sim.addContact(SUB, { name: `Person ${tag}-${i}`, first_name: `P${i}`, last_name: tag, email }).id];
      ids.push(ctx().w.kommo.sim.addLead(SUB, { name: `Deal ${tag}-${i}`, responsible_user_id: ctx().w.crm.userId, pipeline_id: ctx().w.crm.pipelineId, contacts }).id);
    }
    return ids;
  }

  async function createMailing(body: Record<string, unknown>, who: TokenClaims = ctx().w.user): Promise<string> {
    const res = await ctx().w.api(who).post('/api/mailings').send({ entityType: 'leads', mailboxId: ctx().mailboxId, ...body });
    if (res.status !== 202) throw new Error(`mailing refused: ${res.status} ${JSON.stringify(res.body)}`);
    expect(res.body.status).toBe('resolving');
    return res.body.id as string;
  }

  const getMailing = async (id: string) => (await ctx().w.api(ctx().w.user).get(`/api/mailings/${id}`)).body;

  async function waitFor(id: string, check: (m: Awaited<ReturnType<typeof getMailing>>) => void, timeoutMs = 60_000) {
    return eventually(
      async () => {
        const m = await getMailing(id);
        check(m);
        return m;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  const sinkFor = (emailIds: Set<string>) => ctx().sink.messages.filter((m) => emailIds.has(String(m.parsed.headers.get('x-leadmail-email-id'))));

  async function allRecipients(id: string) {
    const out = [];
    for (let page = 1; ; page++) {
      const r = await ctx().w.api(ctx().w.user).get(`/api/mailings/${id}/recipients?page=${page}&limit=500`);
      expect(r.status).toBe(200);
      out.push(...r.body.items);
      if (r.body.items.length < 500) return out;
    }
  }

  /** The ids of the mails a mailing created (its recipients that got one). */
  const mailIdsOf = async (id: string) => new Set((await allRecipients(id)).map((r) => r.emailId as string));

  return { seedLeads, createMailing, getMailing, waitFor, sinkFor, allRecipients, mailIdsOf };
}

/**
 * The set-up every mailing test file shares: a world with an SMTP sink (started before and
 * stopped after the file's tests) and a mailbox of the user allowing 1,000 mails a second.
 * `env`: settings of the file's server (e.g. a sweep turned off).
 */
export function useMailingWorld(env: Record<string, string> = {}) {
  const ctx = {} as MailingContext;
  beforeAll(async () => {
    Object.assign(ctx, await startWorldWithSink(env));
    ctx.mailboxId = await createMailbox(ctx.w, ctx.w.user, ctx.sink, { pacing: { messages: 1000, seconds: 1 } });
  });
  afterAll(() => stopWorldWithSink(ctx.w, ctx.sink));
  return { ctx, ...mailingHelpers(() => ctx) };
}
