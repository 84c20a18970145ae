/**
 * What `npm run sandbox` adds to its backend so the widget can be tried by clicking alone: two
 * demo templates (the list action and the pipeline picker have nothing to offer without one), and
 * the local SMTP server the mailbox quick set-up is pointed at. Kept out of sandbox.ts so a test
 * drives exactly these pieces against its own world.
 */
import { SMTPServer } from 'smtp-server';
import { TemplateInput } from '../../shared/schemas/template.js';
import type { AuthContext } from '../http/auth.js';
import type { TemplatesService } from '../modules/templates/templates.service.js';

export const DEMO_TEMPLATES = [
  {
    name: 'Offer',
    subject: 'Offer for {{contact.first_name}}: {{lead.name}}',
    html: '<p>Hello {{contact.first_name}},</p><p>here is our offer for <b>{{lead.name}}</b>: {{lead.price}}.</p><p>Best regards,<br>{{responsible.name}}</p>',
  },
  {
    name: 'Welcome',
    subject: 'Welcome, {{contact.name}}',
    html: '<p>Dear {{contact.name}},</p><p>thank you for your interest. We will be in touch about {{lead.name}} soon.</p>',
  },
] as const;

/**
 * Creates each demo template the account lacks (by name), through the templates service as the
 * API would: a restart of the sandbox on the same database adds nothing. Public, so the sales
 * user sees them too, not only the admin who owns them.
 */
export async function seedDemoTemplates(templates: TemplatesService, admin: AuthContext): Promise<string[]> {
  const have = new Set((await templates.list(admin)).map((t) => t.name));
  const created: string[] = [];
  for (const demo of DEMO_TEMPLATES) {
    if (have.has(demo.name)) continue;
    await templates.create(admin, TemplateInput.parse({ ...demo, isPublic: true }), []);
    created.push(demo.name);
  }
  return created;
}

/**
 * The sandbox's SMTP server: accepts any user and password on a plain connection, as the quick
 * set-up's "Other / security None" sends them (smtp-server refuses AUTH without TLS unless told,
 * "538 Must issue a STARTTLS command first"), and prints every mail it receives.
 */
export async function startSandboxSmtp(port: number, print: (line: string) => void = console.log): Promise<{ server: SMTPServer; port: number }> {
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    // Its own protocol log would drown the lines below (and warn about the built-in test certificate).
    logger: false,
    disableReverseLookup: true,
    onAuth: (auth, _session, cb) => cb(null, { user: auth.username ?? 'sandbox' }),
    onData(stream, session, cb) {
      let size = 0;
      stream.on('data', (c: Buffer) => (size += c.length));
      stream.on('end', () => {
        print(`[smtp] mail from ${session.envelope.mailFrom && session.envelope.mailFrom.address} to ${session.envelope.rcptTo.map((r) => r.address).join(', ')} (${size} bytes)`);
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port: (server.server.address() as { port: number }).port };
}
