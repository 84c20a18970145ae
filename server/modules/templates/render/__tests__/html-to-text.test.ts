import { decodeEntities, htmlToText } from '../html-to-text.js';

describe('htmlToText', () => {
  it('turns blocks into lines, lists into dashes and keeps link URLs', () => {
    const html = `<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style></head><body>
      <h1>Offer</h1>
      <p>Dear   John,<br>please see
        <a href="https://example.com/offer?a=1&amp;b=2">the offer</a>.</p>
      <ul><li>One</li><li>Two</li></ul>
      <p><a href="https://example.com">https://example.com</a> <a href="mailto:sales@example.com">sales@example.com</a>
         <a href="#top">top</a> <a href="javascript:alert(1)">js</a></p>
      <script>var x = "<p>not text</p>";</script><!-- a <b>comment</b> -->
      <table><tr><td>A</td><td>B</td></tr></table>
    </body></html>`;
    expect(htmlToText(html)).toBe(
      [
        'Offer',
        '',
        'Dear John,',
        'please see the offer (https://example.com/offer?a=1&b=2).',
        '',
        '- One',
        '- Two',
        '',
        'https://example.com sales@example.com top js',
        '',
        'A B',
      ].join('\n'),
    );
  });

  it('decodes basic entities and keeps a literal "<"', () => {
    expect(htmlToText('<p>5 &lt; 6 &amp;&amp; 7 > 3 &quot;q&quot; &#39;s&#x27; &nbsp;x &euro; &unknown;</p> a < b')).toBe(
      '5 < 6 && 7 > 3 "q" \'s\' x € &unknown;\na < b',
    );
  });

  it('is linear on pathological input (unclosed tags and comments)', () => {
    const evil = '<a href="x">'.repeat(50_000) + '<!--'.repeat(50_000) + '<script>'.repeat(1000);
    const started = Date.now();
    htmlToText(evil);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('decodeEntities ignores out-of-range code points', () => {
    expect(decodeEntities('&#1114112;&#65;&#x1F600;')).toBe('&#1114112;A😀');
  });
});
