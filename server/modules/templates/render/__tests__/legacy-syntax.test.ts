import { rewriteLegacyPlaceholders } from '../legacy-syntax.js';

describe('rewriteLegacyPlaceholders', () => {
  it.each([
    ['<a href="{triggerlink:8}">x</a>', '<a href="{{triggerlink 8}}">x</a>'],
    ['{ triggerlink : 12 }', '{{triggerlink 12}}'],
    ['{TriggerLink:3}', '{{triggerlink 3}}'],
    ['<a href="%7Btriggerlink:8%7D">', '<a href="{{triggerlink 8}}">'],
    ['<a href="%7btriggerlink%3a8%7d">', '<a href="{{triggerlink 8}}">'],
    ['{{triggerlink:8}}', '{{triggerlink 8}}'],
    ['{{triggerlink 8}}', '{{triggerlink 8}}'],
    ['{triggerlink:x} {triggerlink:} {triggerlink:8', '{triggerlink:x} {triggerlink:} {triggerlink:8'],
    ['{{{triggerlink:8}}}', '{{{triggerlink:8}}}'],
  ])('%s → %s', (input, output) => {
    expect(rewriteLegacyPlaceholders(input).source).toBe(output);
  });

  it('maps columns of the rewritten text back to the original, per line', () => {
    const original = '{triggerlink:1}{triggerlink:2}X\n{triggerlink:3}Y';
    const r = rewriteLegacyPlaceholders(original);
    expect(r.source).toBe('{{triggerlink 1}}{{triggerlink 2}}X\n{{triggerlink 3}}Y');
    expect(r.originalColumn(1, r.source.indexOf('X') + 1)).toBe(original.indexOf('X') + 1);
    expect(r.originalColumn(2, 18)).toBe(16); // "Y"
    expect(r.originalColumn(1, 1)).toBe(1); // before any rewrite
  });
});
