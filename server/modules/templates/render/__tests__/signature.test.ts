import { applySignature } from '../signature.js';

describe('applySignature', () => {
  const sig = '<b>Sam</b>';

  it('inserts before the last </body>, whatever its case', () => {
    expect(applySignature('<html><BODY>Hi<!-- </body> --></Body ></html>', sig, false)).toBe(
      '<html><BODY>Hi<!-- </body> --><div class="leadmail-signature"><b>Sam</b></div>\n</Body ></html>',
    );
  });

  it('appends to a fragment without <body>', () => {
    expect(applySignature('<p>Hi</p>', sig, false)).toBe('<p>Hi</p>\n<div class="leadmail-signature"><b>Sam</b></div>');
  });

  it.each([
    ['disabled', sig, true],
    ['null', null, false],
    ['blank', '  \n ', false],
  ] as const)('leaves the body alone when the signature is %s', (_case, signature, disabled) => {
    expect(applySignature('<p>Hi</p>', signature, disabled)).toBe('<p>Hi</p>');
  });
});
