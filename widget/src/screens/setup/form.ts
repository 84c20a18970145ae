/**
 * The quick set-up form's state and how it maps to the API: one request body for create and
 * update, and the input each server-named field belongs to (so an error shows where it happens).
 */
import type { MailboxInput, MailboxPresetData } from '../../api/setup.js';

export type ImapSecurity = 'tls' | 'starttls' | 'none';

export interface SetupForm {
  preset: string;
  name: string;
  address: string;
  password: string;
  smtpHost: string;
  smtpPort: string;
  smtpSecurity: 'none' | 'starttls' | 'tls';
  /** Empty: the address is the login. */
  smtpUser: string;
  imapOn: boolean;
  imapHost: string;
  imapPort: string;
  imapSecurity: ImapSecurity;
  sameCredentials: boolean;
  imapUser: string;
  imapPassword: string;
}

export type FieldKey = keyof SetupForm;

/** The presets the server's schema accepts by name; anything else is sent as "generic". */
const KNOWN = ['gmail', 'google_workspace', 'microsoft365', 'yandex', 'generic'] as const;

export function emptyForm(): SetupForm {
  return {
    preset: 'generic',
    name: '',
    address: '',
    password: '',
    smtpHost: '',
    smtpPort: '465',
    smtpSecurity: 'tls',
    smtpUser: '',
    imapOn: true,
    imapHost: '',
    imapPort: '993',
    imapSecurity: 'tls',
    sameCredentials: true,
    imapUser: '',
    imapPassword: '',
  };
}

/** Choosing a provider fills its servers; what the user typed about themselves stays. */
export function applyPreset(f: SetupForm, name: string, p: MailboxPresetData | undefined): SetupForm {
  if (!p) return { ...f, preset: name };
  return {
    ...f,
    preset: name,
    smtpHost: p.smtp.host,
    smtpPort: String(p.smtp.port),
    smtpSecurity: p.smtp.security,
    imapHost: p.imap.host,
    imapPort: String(p.imap.port),
    imapSecurity: p.imap.tls ? 'tls' : 'starttls',
  };
}

/** Digits become a number; anything else goes as typed, and the server names the field. */
const port = (s: string): number => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : (s as unknown as number));

export function toRequest(f: SetupForm, presets: Record<string, MailboxPresetData>): MailboxInput {
  const login = f.smtpUser.trim() || f.address.trim();
  return {
    displayName: f.name,
    fromName: f.name.trim(),
    fromAddress: f.address.trim(),
    preset: (KNOWN as readonly string[]).includes(f.preset) ? (f.preset as (typeof KNOWN)[number]) : 'generic',
    smtp: { host: f.smtpHost.trim(), port: port(f.smtpPort), security: f.smtpSecurity, auth: true, username: login, ...(f.password ? { password: f.password } : {}) },
    imap: f.imapOn
      ? {
          enabled: true,
          host: f.imapHost.trim(),
          port: port(f.imapPort),
          tls: f.imapSecurity === 'tls',
          requireStarttls: f.imapSecurity === 'starttls',
          sameCredentials: f.sameCredentials,
          ...(f.sameCredentials ? {} : { username: f.imapUser.trim() || f.address.trim(), ...(f.imapPassword ? { password: f.imapPassword } : {}) }),
        }
      : { enabled: false },
    saveToSent: presets[f.preset]?.saveToSent ?? true,
  };
}

/** Server field path (ApiError.field) → the input that holds it. */
const FIELD_INPUT: Record<string, FieldKey> = {
  displayName: 'name',
  fromName: 'name',
  fromAddress: 'address',
  'smtp.password': 'password',
  'smtp.host': 'smtpHost',
  'smtp.port': 'smtpPort',
  'smtp.security': 'smtpSecurity',
  'smtp.username': 'smtpUser',
  'imap.host': 'imapHost',
  'imap.port': 'imapPort',
  'imap.tls': 'imapSecurity',
  'imap.requireStarttls': 'imapSecurity',
  'imap.username': 'imapUser',
  'imap.password': 'imapPassword',
};

export function inputOf(field: string | null): FieldKey | null {
  return field ? (FIELD_INPUT[field] ?? null) : null;
}

/** Inputs inside the collapsible "server settings" part. */
export const SERVER_FIELDS: readonly FieldKey[] = ['smtpHost', 'smtpPort', 'smtpSecurity', 'smtpUser', 'imapHost', 'imapPort', 'imapSecurity', 'imapUser', 'imapPassword'];

/** "body.fromAddress: must be …" → "must be …": the input already names the field. */
export function problemOf(message: string, field: string | null): string {
  if (!field) return message;
  for (const prefix of [`body.${field}: `, `${field}: `]) if (message.startsWith(prefix)) return message.slice(prefix.length);
  return message;
}
