import { renderTemplate } from '../render.js';

const NOW = new Date('2025-12-31T23:59:30Z');
const render = (html: string, ctx: object = {}, timezone = 'UTC'): string => renderTemplate({ subject: '', html }, ctx, { now: NOW, timezone }).html;

describe('template helpers', () => {
  it('date: today, now, unix seconds/milliseconds, ISO and wall-clock strings', () => {
    expect(render('{{date}}')).toBe('2025-12-31');
    expect(render('{{date}}', {}, 'Asia/Tokyo')).toBe('2026-01-01');
    expect(render('{{date "now" "YYYY-MM-DD HH:mm:ss"}}', {}, 'America/New_York')).toBe('2025-12-31 18:59:30');
    expect(render('{{date s "DD.MM.YYYY"}}|{{date ms "DD.MM.YYYY"}}', { s: 1735689600, ms: 1735689600000 })).toBe('01.01.2025|01.01.2025');
    expect(render('{{date iso "D.M.YY H:mm"}}', { iso: '2025-07-04T09:05:00Z' }, 'Europe/Madrid')).toBe('4.7.25 11:05');
    // A calendar date stays that date in every zone.
    expect(render('{{date d "DD/MM/YYYY"}}', { d: '2025-02-01' }, 'America/Los_Angeles')).toBe('01/02/2025');
    expect(render('[{{date nothing}}][{{date "not a date"}}]')).toBe('[][not a date]');
  });

  it('default: falls back on empty, whitespace, null and empty lists only', () => {
    expect(render('{{default a "x"}}|{{default b "x"}}|{{default c "x"}}|{{default d "x"}}|{{default e "x"}}|{{default f "x"}}', {
      a: '',
      b: '  ',
      c: [],
      d: 0,
      e: false,
      f: 'value',
    })).toBe('x|x|x|0|false|value');
  });

  it('eq / if_eq compare CRM strings with template numbers', () => {
    expect(render('{{#if (eq a 5)}}y{{else}}n{{/if}} {{#if (eq a 6)}}y{{else}}n{{/if}} {{#if_eq b "VIP"}}vip{{/if_eq}}', { a: '5', b: 'VIP' })).toBe(
      'y n vip',
    );
    expect(render('{{#each xs}}{{#if_eq this ../pick}}[{{this}}]{{/if_eq}}{{/each}}', { xs: ['a', 'b'], pick: 'b' })).toBe('[b]');
  });

  it('upper / lower treat missing values as empty', () => {
    expect(render('{{upper a}}|{{lower b}}|{{upper missing}}', { a: 'straße', b: 'ÉCOLE' })).toBe('STRASSE|école|');
  });

  it('the helpers find the per-render runtime inside nested blocks', () => {
    const out = renderTemplate({ subject: '', html: '{{#each ids}}{{#with this}}{{triggerlink this}};{{/with}}{{/each}}' }, { ids: [1, 2] }, {
      links: { triggerlink: (id) => `L${id}` },
    });
    expect(out.html).toBe('L1;L2;');
  });
});
