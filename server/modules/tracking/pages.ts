/** The few HTML pages a reader can land on from a tracked link. No scripts, nothing external. */
const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<meta name="robots" content="noindex,nofollow"><title>${title}</title>` +
  `<style>body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;display:flex;min-height:90vh;align-items:center;justify-content:center;color:#222}` +
  `main{text-align:center;padding:2rem}h1{font-weight:600;margin:0 0 .5rem}p{color:#666;margin:0}</style></head>` +
  `<body><main>${body}</main></body></html>`;

/** Seed 004: with no redirect URL "the user will be redirected to a standard page that says «Thank you!»". */
export const THANK_YOU_PAGE = page('Thank you!', '<h1>Thank you!</h1><p>You can close this page now.</p>');
export const NOT_FOUND_PAGE = page('Link not found', '<h1>Link not found</h1><p>This link is not valid. Please check that it was copied completely.</p>');
export const GONE_PAGE = page('Link no longer active', '<h1>This link is no longer active</h1><p>The sender has removed it.</p>');
