import { capNesting, htmlToText, MAX_NESTING } from '../html-to-text.js';

describe('htmlToText', () => {
  it('turns blocks into lines, list items into dashes, keeps link URLs and image alt texts', () => {
    const html = `<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style></head><body>
      <h1>Offer</h1>
      <p>Dear   John,<br>please see
        <a href="https://example.com/offer?a=1&amp;b=2">the offer</a>.</p>
      <ul><li>One</li><li>Two</li></ul>
      <p><a href="https://example.com">https://example.com</a> <a href="#top">top</a>
         <img src="https://example.com/logo.png" alt="ACME"> <img src="https://example.com/t.gif"></p>
      <script>var x = "<p>not text</p>";</script><!-- a <b>comment</b> -->
      <table><tr><td>A</td><td>B</td></tr></table>
      <p>5 &lt; 6 &amp;&amp; 7 > 3 &quot;q&quot; &#39;s&#x27; &euro; a < b</p>
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
        'https://example.com top ACME',
        '',
        'A B',
        '',
        '5 < 6 && 7 > 3 "q" \'s\' € a < b',
      ].join('\n'),
    );
  });

  // The hand-written converter took 8 s on this; the figure is in `npm run bench`.
  it('converts 1.6 MB of "< " into the same text', () => {
    const out = htmlToText('< '.repeat(800_000));
    expect(out.length).toBe(1_599_999);
    expect(/^(< )+<$/.test(out)).toBe(true);
  });

  it('keeps the text of a document nested 100,000 levels deep, and does not overflow the stack', () => {
    const html = '<div>'.repeat(100_000) + 'deep' + '</div>'.repeat(100_000) + '<p>after</p>';
    expect(htmlToText(html)).toBe('deep\n\nafter');
    expect(htmlToText('<b>'.repeat(500_000) + 'unclosed')).toBe('unclosed');
  });

  it('survives unclosed links, comments and scripts', () => {
    expect(htmlToText('<p>x</p>' + '<a href="https://e.example/">'.repeat(50_000) + '<!--'.repeat(50_000))).toMatch(/^x\n\n/);
    expect(htmlToText('<p>before</p><script>' + '<p>'.repeat(10_000))).toBe('before');
  });
});

describe('capNesting', () => {
  it('leaves ordinary documents untouched', () => {
    const html = '<table><tr><td><p>a<p>b<br><img src=x></td></tr></table><!-- <div> --><div a="1>2">c</div>';
    expect(capNesting(html)).toBe(html);
  });

  it('drops only the tags beyond the limit and their end tags', () => {
    const depth = MAX_NESTING + 5;
    const capped = capNesting('<i>'.repeat(depth) + 'x' + '</i>'.repeat(depth) + '<b>y</b>');
    expect(capped).toBe('<i>'.repeat(MAX_NESTING) + 'x' + '</i>'.repeat(MAX_NESTING) + '<b>y</b>');
  });
});
