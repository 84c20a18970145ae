import { AppError } from '../../../../errors.js';
import { renderPlainText, renderTemplate, validateTemplate } from '../render.js';
import { DEFAULT_RENDER_LIMITS, RenderBudget, RenderBudgetExceeded } from '../render-budget.js';
import { buildTemplateContext } from '../template-context.js';
import { MAX_EXPRESSIONS, MAX_NESTING } from '../template-limits.js';
import * as fx from './fixtures.js';

const context = (): ReturnType<typeof buildTemplateContext> => buildTemplateContext({ ...fx, now: fx.NOW });
const links = { triggerlink: (id: number): string => `L${id}` };

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}

const nested = (levels: number, over: string, inner: string): string => `{{#each ${over}}}`.repeat(levels) + inner + '{{/each}}'.repeat(levels);

describe('render budget: loops', () => {
  it('stops six nested {{#each}} over the whole context with a typed error', () => {
    const err = thrown(() => renderTemplate({ subject: 's', html: `<p>${nested(6, '@root', '{{@key}}')}</p>` }, context()));
    expect(err.code).toBe('TEMPLATE_TOO_COMPLEX');
    expect(err.details).toMatchObject({ part: 'html', reason: 'iterations', limit: DEFAULT_RENDER_LIMITS.iterations, line: 1 });
    expect(err.message).toMatch(/^Template html is too expensive to render: it takes more than 20000 loop iterations/);
  });

  it('counts sections over lists ({{#list}}…{{/list}}) and loops in the subject and in CRM texts', () => {
    const ctx = { xs: Array.from({ length: 200 }, (_, i) => i) };
    const sections = '{{#xs}}{{#../xs}}{{#../../xs}}.{{/../../xs}}{{/../xs}}{{/xs}}';
    expect(thrown(() => renderTemplate({ subject: 's', html: sections }, ctx)).details).toMatchObject({ part: 'html', reason: 'iterations' });
    expect(thrown(() => renderTemplate({ subject: nested(3, '@root.xs', '.'), html: '' }, ctx)).details).toMatchObject({ part: 'subject', reason: 'iterations' });
    expect(thrown(() => renderPlainText(nested(3, '@root.xs', '.'), ctx)).code).toBe('TEMPLATE_TOO_COMPLEX');
  });

  it('caps what one loop may write, before the whole body is built', () => {
    const ctx = { xs: Array.from({ length: 100 }, (_, i) => i), long: 'x'.repeat(100_000) };
    const err = thrown(() => renderTemplate({ subject: 's', html: '{{#each xs}}{{../long}}{{/each}}' }, ctx));
    expect(err.details).toMatchObject({ part: 'html', reason: 'output', limit: DEFAULT_RENDER_LIMITS.outputChars });
  });

  it('leaves ordinary loops alone, and gives every render its own budget', () => {
    const ctx = { xs: Array.from({ length: 100 }, (_, i) => i) };
    // 100 × 100 = 10,000 iterations per render, half the budget: two renders in a row both pass.
    const body = nested(2, '@root.xs', '.');
    expect(renderTemplate({ subject: 's', html: body }, ctx).html).toHaveLength(10_000);
    expect(renderTemplate({ subject: body, html: body }, ctx).subject).toHaveLength(10_000);
    expect(renderTemplate({ subject: 's', html: '{{#each lead.tags}}[{{this}}]{{/each}}' }, context()).html).toBe('[VIP][Hot]');
    // The wrapped loop keeps block parameters, @index/@first/@last and {{else}}.
    const features = '{{#each xs as |x i|}}{{i}}={{x}}{{#if @first}}^{{/if}}{{#if @last}}${{/if}};{{/each}}{{#each none}}x{{else}}empty{{/each}}';
    expect(renderTemplate({ subject: 's', html: features }, { xs: ['a', 'b'], none: [] }).html).toBe('0=a^;1=b$;empty');
  });

  it('stops on time as well (clock injected)', () => {
    let now = 0;
    const budget = new RenderBudget({ iterations: 1e9, outputChars: 1e9, millis: 1000 }, () => now);
    budget.tick(undefined);
    now = 1001;
    expect(() => budget.tick({ start: { line: 3, column: 4 } })).toThrow(RenderBudgetExceeded);
    try {
      budget.tick({ start: { line: 3, column: 4 } });
    } catch (err) {
      expect(err).toMatchObject({ reason: 'time', limit: 1000, line: 3, column: 5 });
    }
  });
});

describe('static limits, before Handlebars parses', () => {
  it('refuses blocks nested too deep, naming the part', () => {
    const deep = (n: number): string => '{{#if a}}'.repeat(n) + 'x' + '{{/if}}'.repeat(n);
    expect(() => validateTemplate({ html: deep(MAX_NESTING) })).not.toThrow();
    const err = thrown(() => validateTemplate({ html: deep(5_000) }));
    expect(err.code).toBe('TEMPLATE_TOO_COMPLEX');
    expect(err.message).toBe(`Template html is too complex: blocks nested more than ${MAX_NESTING} deep`);
    expect(thrown(() => validateTemplate({ subject: `{{upper ${'(upper '.repeat(1000)}a${')'.repeat(1000)}}}` })).details).toMatchObject({
      part: 'subject',
      limit: MAX_NESTING,
    });
  });

  it('refuses too many expressions but not braces inside comments', () => {
    expect(thrown(() => validateTemplate({ html: '{{#if a}}x{{/if}}'.repeat(MAX_EXPRESSIONS) })).message).toMatch(/more than 2000 \{\{…\}\} expressions/);
    expect(() => validateTemplate({ html: `{{!-- ${'{{#if a}}'.repeat(5_000)} --}}ok` })).not.toThrow();
  });
});

describe('helper calls checked at save time', () => {
  it.each([
    ['html', '<p>{{triggerlink}}</p>', /triggerlink takes one trigger link id.*\(given 0 values\)/],
    ['html', '<p>{{triggerlink 1 2}}</p>', /triggerlink takes one trigger link id.*\(given 2 values\)/],
    ['subject', 'Hi {{upper}}', /upper takes one value.*\(given 0 values\)/],
    ['subject', 'Hi {{lower a b}}', /lower takes one value/],
    ['html', '{{#upper a}}x{{/upper}}', /upper cannot be a block/],
    ['html', '{{if_eq a b}}', /if_eq must be a block/],
    ['html', '{{#if}}x{{/if}}', /if is a block with one value.*\(given 0 values\)/],
    ['html', '{{#each a b}}x{{/each}}', /each is a block over one list/],
    ['html', '{{#if (nosuch)}}x{{/if}}', /Unknown helper "nosuch"/],
    ['html', '{{log "x"}}', /Unknown helper "log"/],
    ['html', '{{default a}}', /default needs a value and a fallback/],
  ] as const)('%s: %s', (part, source, message) => {
    const tpl = part === 'html' ? { subject: 'ok', html: source } : { subject: source, html: 'ok' };
    const err = thrown(() => validateTemplate(tpl));
    expect(err.code).toBe('TEMPLATE_SYNTAX');
    expect(err.details).toMatchObject({ part, line: 1, message: expect.stringMatching(message) });
    expect(err.message).toMatch(new RegExp(`^Template ${part} has an error at line 1`));
  });

  it('accepts every helper used correctly, and variables that are not helpers', () => {
    const ok = '{{date}}{{date a}}{{date a "YYYY"}}{{default a "x"}}{{#if (eq a 1)}}{{/if}}{{#if_eq a 1}}{{else}}{{/if_eq}}{{upper a}}{{lower a}}' +
      '{{triggerlink 1}}{triggerlink:2}{{#each xs}}{{@index}}{{/each}}{{#with a}}{{/with}}{{#unless a}}{{/unless}}{{lookup a "b"}}{{#a}}{{/a}}{{nothing}}';
    expect(() => validateTemplate({ subject: 'x', html: ok })).not.toThrow();
    expect(renderTemplate({ subject: 'x', html: '{{triggerlink 1}}' }, {}, { links }).html).toBe('L1');
  });
});
