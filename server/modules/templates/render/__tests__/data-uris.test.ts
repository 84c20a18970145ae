/**
 * Pasted images (multi-megabyte data: URIs) go around the Handlebars lexer: swapped for short
 * placeholders before compiling and put back after rendering (data-uris.ts says why).
 */
import { renderTemplate, validateTemplate } from '../render.js';
import { maskDataUris, unmaskDataUris } from '../data-uris.js';
import { buildTemplateContext } from '../template-context.js';
import * as fx from './fixtures.js';

const image = (bytes: number, fill = 7): string => `data:image/png;base64,${Buffer.alloc(bytes, fill).toString('base64')}`;

it('the lexer never sees a long data: URI, and rendering puts every one back byte for byte', () => {
  const big = image(2 * 1024 * 1024);
  const other = image(4096, 9);
  const html = `<p>Hello {{contact.name}}</p><img src="${big}"><p>{{lead.name}}</p><img src="${other}"><img src="${big}">`;
  const masked = maskDataUris(html);
  expect(masked.source.length).toBeLessThan(500);
  expect(masked.source).not.toContain('base64,');
  expect(masked.uris).toEqual([big, other, big]);

  validateTemplate({ subject: 'Plan', html });
  const out = renderTemplate({ subject: 'Plan', html }, buildTemplateContext({ ...fx, now: fx.NOW }));
  expect(out.html).toContain(`<p>Hello ${fx.contact.name}</p><img src="${big}"><p>${fx.lead.name}</p><img src="${other}"><img src="${big}">`);
});

it('leaves short data: URIs and text that only looks like a placeholder alone', () => {
  const small = image(30);
  const html = `<img src="${small}"> leadmail-data-uri-0000-0`;
  expect(maskDataUris(html)).toEqual({ source: html, uris: [] });
  expect(unmaskDataUris('leadmail-data-uri-0000-0', ['x'])).toBe('leadmail-data-uri-0000-0');
});
