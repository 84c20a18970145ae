/** IMAP without TLS may require STARTTLS, as SMTP's 'starttls' security does. */
export const up = /* sql */ `
ALTER TABLE mailboxes ADD COLUMN imap_require_starttls boolean NOT NULL DEFAULT false;
`;
