import { AppError } from '../../../../errors.js';
import { clearTemplateCache, MAX_BODY_BYTES, renderTemplate, templateCacheStats, validateTemplate } from '../render.js';
import { buildTemplateContext } from '../template-context.js';
import * as fx from './fixtures.js';

const context = (over: Partial<Parameters<typeof buildTemplateContext>[0]> = {}): ReturnType<typeof buildTemplateContext> =>
  buildTemplateContext({
    lead: fx.lead,
    contact: fx.contact,
    company: fx.company,
    responsible: fx.responsible,
    sender: fx.sender,
    fieldDefs: fx.fieldDefs,
    pipelines: fx.pipelines,
    now: fx.NOW,
    ...over,
  });

const html = (body: string, ctx: object = context(), options = {}): string =>
  renderTemplate({ subject: 's', html: body }, ctx, options).html;

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}

describe('renderTemplate: variables', () => {
  it('fills lead, contact, company, responsible, sender and date variables', () => {
    const out = renderTemplate(
      {
        subject: 'Offer for {{contact.first_name}} ({{company.name}})',
        html: [
          '<p>{{lead.name}} #{{lead.id}}: {{lead.price}} in {{lead.pipeline}} / {{lead.status}} ({{lead.status_id}}), tags {{lead.tags}}, since {{lead.created_at}}</p>',
          '<p>{{contact.name}} {{contact.email}} {{contact.phone}}; {{company.email}} {{company.phone}}</p>',
          '<p>{{responsible.name}} {{responsible.email}} / {{sender.name}} = {{user.name}} / {{date.today}} {{date.now}}</p>',
        ].join('\n'),
      },
      context(),
    );
    expect(out.subject).toBe('Offer for John (Acme Inc.)');
    expect(out.html).toBe(
      [
        '<p>Website redesign #12345: 5000 in Sales / Qualified (10), tags VIP, Hot, since 2025-01-31</p>',
        '<p>John Smith john@acme.example +1 555 0100; info@acme.example +1 555 0199</p>',
        '<p>Mary Manager mary@ourcompany.example / Sam Sender = Sam Sender / 2025-03-04 2025-03-04T10:05:06.000Z</p>',
      ].join('\n'),
    );
  });

  it('reaches custom fields by name, by id and through the cf_<id> alias', () => {
    const out = html(
      '{{lead.fields.[Budget]}}|{{lead.fields.[111]}}|{{lead.cf_111}}|{{lead.fields.Source}}|{{lead.fields.[Monthly budget]}}|{{contact.fields.Position}}|{{company.fields.[2003]}}',
    );
    expect(out).toBe('25000|25000|25000|Web|2 000 €|CTO|https://acme.example');
  });

  it('iterates tags and compares values with the helpers', () => {
    const out = html(
      '{{#each lead.tags}}[{{this}}]{{/each}} {{#if (eq lead.status_id 10)}}qualified{{/if}} {{#if_eq lead.fields.Budget 25000}}big{{else}}small{{/if_eq}} {{#if_eq lead.fields.Newsletter "No"}}x{{else}}subscribed{{/if_eq}}',
    );
    expect(out).toBe('[VIP][Hot] qualified big subscribed');
  });

  it('renders missing variables and absent entities as empty', () => {
    const ctx = context({ company: undefined, responsible: null });
    expect(html('[{{lead.nothing}}][{{company.name}}][{{responsible.email}}][{{nope.deeper.still}}][{{lead.fields.[Unset field]}}]', ctx)).toBe(
      '[][][][][]',
    );
    expect(html('{{#if company}}has company{{else}}no company{{/if}}', ctx)).toBe('no company');
  });

  it('formats with date, default, upper and lower', () => {
    const out = renderTemplate(
      {
        subject: '{{upper contact.last_name}} {{lower company.name}}',
        html: '{{date}}|{{date "now" "DD.MM.YYYY HH:mm"}}|{{date lead.fields.Deadline "D/M/YY"}}|{{date 1735689600 "[Year] YYYY"}}|{{date lead.fields.[Unset field]}}|{{default contact.fields.[Unknown] "customer"}}|{{default contact.first_name "customer"}}',
      },
      context(),
      { timezone: 'Europe/Madrid', now: fx.NOW },
    );
    expect(out.subject).toBe('SMITH acme inc.');
    expect(out.html).toBe('2025-03-04|04.03.2025 11:05|31/1/25|Year 2025||customer|John');
  });
});

describe('renderTemplate: escaping', () => {
  const evil = { ...fx.contact, name: '<script>alert("x")</script> & Co', first_name: 'Tom & "Jerry"' };

  it('escapes CRM values in the HTML body but keeps the author HTML', () => {
    const out = renderTemplate(
      { subject: 'Hi {{contact.name}}', html: '<p style="color:red">Hi <b>{{contact.name}}</b></p>' },
      context({ contact: evil }),
    );
    expect(out.html).toBe('<p style="color:red">Hi <b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co</b></p>');
    expect(out.subject).toBe('Hi <script>alert("x")</script> & Co');
  });

  it('escapes helper output too', () => {
    expect(html('{{upper contact.name}}|{{default contact.fields.Position "x"}}', context({ contact: evil }))).toBe(
      '&lt;SCRIPT&gt;ALERT(&quot;X&quot;)&lt;/SCRIPT&gt; &amp; CO|CTO',
    );
  });

  it('refuses triple-stash in the body, allows it in the (unescaped) subject', () => {
    const err = thrown(() => html('<p>\n  {{{contact.name}}}</p>'));
    expect(err.code).toBe('TEMPLATE_SYNTAX');
    expect(err.details).toMatchObject({ part: 'html', line: 2, column: 3 });
    const out = renderTemplate({ subject: '{{{contact.first_name}}}', html: '' }, context({ contact: evil }));
    expect(out.subject).toBe('Tom & "Jerry"');
  });

  it('keeps a subject on one line whatever the CRM value holds', () => {
    const out = renderTemplate({ subject: 'Re: {{lead.name}}', html: '' }, context({ lead: { ...fx.lead, name: 'a\r\nBcc: x@evil.example' } }));
    expect(out.subject).toBe('Re: a Bcc: x@evil.example');
  });
});

describe('renderTemplate: syntax errors', () => {
  it.each([
    ['html', { subject: 'ok', html: '<p>Hi</p>\n<p>{{#if contact}}\n  {{contact.name}}\n</p>' }, 4, 5, /ends inside an open block/],
    ['html', { subject: 'ok', html: '<p>\n   {{lead.fields.123}}</p>' }, 2, 18, /got 'NUMBER'/],
    ['html', { subject: 'ok', html: 'a\n {{#if x}}{{/each}}' }, 2, 5, /if doesn't match each/],
    ['html', { subject: 'ok', html: 'line one\n\n    {{formatMoney lead.price}}' }, 3, 5, /Unknown helper "formatMoney"/],
    ['html', { subject: 'ok', html: 'x {{> footer}}' }, 1, 3, /Partials/],
    ['html', { subject: 'ok', html: '<p>{{lead.name "x"}}</p>' }, 1, 4, /Unknown helper "lead.name"/],
    ['subject', { subject: 'Offer for {{contact.name}', html: 'ok' }, 1, 25, /Expecting/],
    ['subject', { subject: '{{#if a}}x', html: 'ok' }, 1, 11, /ends inside an open block/],
  ] as const)('reports %s errors with line and column (%#)', (part, tpl, line, column, message) => {
    const err = thrown(() => validateTemplate(tpl));
    expect(err.code).toBe('TEMPLATE_SYNTAX');
    expect(err.details).toEqual({ part, line, column, message: expect.stringMatching(message) });
    expect(err.message).toContain(`${part} has an error at line ${line}, column ${column}`);
    // renderTemplate reports the same thing.
    expect(thrown(() => renderTemplate(tpl, {})).details).toEqual(err.details);
  });

  it('reports helper misuse at the helper call', () => {
    const err = thrown(() => html('<p>\n  {{#if_eq lead.id}}x{{/if_eq}}</p>'));
    expect(err.details).toMatchObject({ part: 'html', line: 2, column: 3, message: expect.stringMatching(/if_eq is a block with two values/) });
    // Still the author's column when a rewritten placeholder precedes it on the line.
    const links = { triggerlink: (id: number): string => `L${id}` };
    const shifted = thrown(() => renderTemplate({ subject: '', html: '{triggerlink:1} {{#if_eq 1}}x{{/if_eq}}' }, {}, { links }));
    expect(shifted.details).toMatchObject({ line: 1, column: 17 });
  });
});

describe('renderTemplate: size limit', () => {
  it('refuses a template body over 8 MB, naming the field', () => {
    const err = thrown(() => renderTemplate({ subject: 's', html: 'x'.repeat(MAX_BODY_BYTES + 1) }, {}));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.message).toMatch(/^html: /);
    expect(err.details).toMatchObject({ field: 'html', stage: 'template', limit: 8 * 1024 * 1024, bytes: MAX_BODY_BYTES + 1 });
  });

  it('counts bytes, not characters', () => {
    const err = thrown(() => validateTemplate({ html: 'é'.repeat(MAX_BODY_BYTES / 2 + 1) }));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a body that only grows past 8 MB once rendered (HTML + text)', () => {
    const big = 'y'.repeat(3 * 1024 * 1024);
    const ctx = context({ lead: { ...fx.lead, name: big } });
    expect(html('<p>{{lead.name}}</p>', ctx)).toHaveLength(big.length + 7); // 3 MB HTML + 3 MB text: fine
    const err = thrown(() => html('<p>{{lead.name}}</p><p>{{lead.name}}</p>', ctx));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.details).toMatchObject({ field: 'html', stage: 'rendered' });
  });
});

describe('renderTemplate: signature', () => {
  const sig = '<p>--<br>Sam Sender, <i>{{not a template}}</i></p>';

  it('appends the signature raw, before </body>', () => {
    const out = renderTemplate(
      { subject: 's', html: '<html><body><p>Hello {{contact.first_name}}</p></body></html>' },
      context(),
      { signature: { html: sig } },
    );
    expect(out.html).toBe(`<html><body><p>Hello John</p><div class="leadmail-signature">${sig}</div>\n</body></html>`);
    expect(out.text).toBe('Hello John\n\n--\nSam Sender, {{not a template}}');
  });

  it('leaves the signature out when the template disables it', () => {
    const out = renderTemplate({ subject: 's', html: '<p>Hi</p>' }, context(), { signature: { html: sig, disabled: true } });
    expect(out.html).toBe('<p>Hi</p>');
  });
});

describe('renderTemplate: trigger links', () => {
  const links = { triggerlink: (id: number): string => `https://t.example/l/${id}?e=77&s=abc` };

  it('rewrites the legacy {triggerlink:N} placeholder and resolves it per render', () => {
    const out = renderTemplate(
      {
        subject: 'Click {triggerlink:3}',
        html: '<a href="{triggerlink:8}">Read the offer</a> <a href="%7Btriggerlink:9%7D">editor-encoded</a> <a href="{{triggerlink 10}}">native</a> <a href="{{triggerlink:11}}">slip</a>',
      },
      context(),
      { links },
    );
    expect(out.subject).toBe('Click https://t.example/l/3?e=77&s=abc');
    // Handlebars also escapes "=" (as &#x3D;) so a value cannot break out of an unquoted attribute.
    const href = (id: number): string => `https://t.example/l/${id}?e&#x3D;77&amp;s&#x3D;abc`;
    expect(out.html).toBe(
      `<a href="${href(8)}">Read the offer</a> <a href="${href(9)}">editor-encoded</a> <a href="${href(10)}">native</a> <a href="${href(11)}">slip</a>`,
    );
    expect(out.text).toBe(
      'Read the offer (https://t.example/l/8?e=77&s=abc) editor-encoded (https://t.example/l/9?e=77&s=abc) native (https://t.example/l/10?e=77&s=abc) slip (https://t.example/l/11?e=77&s=abc)',
    );
  });

  it('uses each render its own resolver (no shared state between renders)', () => {
    const tpl = { subject: '', html: '{triggerlink:8}' };
    expect(renderTemplate(tpl, {}, { links: { triggerlink: (id) => `A${id}` } }).html).toBe('A8');
    expect(renderTemplate(tpl, {}, { links: { triggerlink: (id) => `B${id}` } }).html).toBe('B8');
  });

  it('fails clearly when the caller gave no resolver', () => {
    const err = thrown(() => renderTemplate({ subject: '', html: '<a href="{triggerlink:8}">x</a>' }, {}));
    expect(err.code).toBe('VALIDATION');
    expect(err.message).toMatch(/\{\{triggerlink 8\}\}.*no trigger link resolver/);
  });

  it('points syntax errors after a rewritten placeholder at the author text', () => {
    const err = thrown(() => validateTemplate({ html: '<a href="{triggerlink:8}">a</a> {triggerlink:9} {{oops' }));
    // In the author's text "{{oops" starts at column 49; the parser stops at its "oops" (51).
    // Unmapped, the two rewrites (+2 characters each) would make it 55.
    expect(err.details).toMatchObject({ line: 1, column: 51 });
  });
});

describe('renderTemplate: compiled template cache', () => {
  it('compiles a given source once', () => {
    clearTemplateCache();
    const tpl = { subject: 'Hi {{contact.name}}', html: '<p>{{lead.name}}</p>' };
    renderTemplate(tpl, context());
    const first = templateCacheStats();
    renderTemplate(tpl, context());
    const second = templateCacheStats();
    expect(first).toMatchObject({ size: 2, misses: 2, hits: 0 });
    expect(second).toMatchObject({ size: 2, misses: 2, hits: 2 });
  });

  it('keeps subject and body compilations apart (escaping differs)', () => {
    const out = renderTemplate({ subject: '{{x}}', html: '{{x}}' }, { x: 'a&b' });
    expect(out).toMatchObject({ subject: 'a&b', html: 'a&amp;b' });
  });
});
