/**
 * The mailbox editor's state: the quick set-up's form (setup/form.ts: provider, address, password,
 * servers, IMAP) plus what only this page sets — the owner, the name in lists, reply-to, the pace
 * and the daily limit — and how it maps to the API and back.
 */
import type { MailboxBody, MailboxView, PresetWithLimits } from '../../../api/admin-mailboxes.js';
import { applyPreset, emptyForm, inputOf as setupInputOf, toRequest, type SetupForm } from '../../setup/form.js';

export interface MailboxForm extends SetupForm {
  /** A user id as typed in the owner select. */
  owner: string;
  displayName: string;
  replyTo: string;
  paceMessages: string;
  paceSeconds: string;
  /** Empty: no daily limit. */
  dailyCap: string;
  saveToSent: boolean;
  /** Settings the page has no input for, kept as they are on an edit (an API-made mailbox may use them). */
  keep: { auth: boolean; authType: 'password' | 'oauth2'; tlsRejectUnauthorized: boolean } | null;
}

export type FormKey = keyof MailboxForm;

/** Choosing a provider fills its servers, its recommended pace and limit, and whether it files its own Sent copy. */
export function withPreset(f: MailboxForm, name: string, p: PresetWithLimits | undefined): MailboxForm {
  const next = { ...f, ...applyPreset(f, name, p) };
  if (!p) return next;
  return { ...next, ...limitsOf(p), saveToSent: p.saveToSent ?? true };
}

export function limitsOf(p: PresetWithLimits): Pick<MailboxForm, 'paceMessages' | 'paceSeconds' | 'dailyCap'> {
  return { paceMessages: String(p.pacing.messages), paceSeconds: String(p.pacing.seconds), dailyCap: p.dailyCap === null ? '' : String(p.dailyCap) };
}

export function newForm(owner: number, presets: Record<string, PresetWithLimits>): MailboxForm {
  const base: MailboxForm = {
    ...emptyForm(),
    owner: String(owner),
    displayName: '',
    replyTo: '',
    paceMessages: '',
    paceSeconds: '',
    dailyCap: '',
    saveToSent: true,
    keep: null,
  };
  return withPreset(base, base.preset, presets[base.preset]);
}

/** An empty login means "the address" in the form (its placeholder shows it). */
const loginOf = (user: string | null, address: string) => (user && user !== address ? user : '');

export function formOf(v: MailboxView): MailboxForm {
  return {
    preset: v.preset,
    name: v.fromName,
    address: v.fromAddress,
    password: '',
    smtpHost: v.smtp.host,
    smtpPort: String(v.smtp.port),
    smtpSecurity: v.smtp.security,
    smtpUser: loginOf(v.smtp.username, v.fromAddress),
    imapOn: v.imap.enabled,
    imapHost: v.imap.host ?? '',
    imapPort: v.imap.port === null ? '993' : String(v.imap.port),
    imapSecurity: v.imap.tls ? 'tls' : v.imap.requireStarttls ? 'starttls' : 'none',
    sameCredentials: v.imap.sameCredentials,
    imapUser: loginOf(v.imap.username, v.fromAddress),
    imapPassword: '',
    owner: String(v.ownerUserId),
    displayName: v.displayName,
    replyTo: v.replyTo ?? '',
    paceMessages: String(v.pacing.messages),
    paceSeconds: String(v.pacing.seconds),
    dailyCap: v.dailyCap === null ? '' : String(v.dailyCap),
    saveToSent: v.saveToSent,
    keep: { auth: v.smtp.auth, authType: v.smtp.authType, tlsRejectUnauthorized: v.smtp.tlsRejectUnauthorized },
  };
}

/** Digits become a number; anything else goes as typed, and the server names the field. */
const num = (s: string): number => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : (s as unknown as number));

export function toBody(f: MailboxForm, presets: Record<string, PresetWithLimits>): MailboxBody {
  const base = toRequest(f, presets);
  const pace = f.paceMessages.trim() || f.paceSeconds.trim() ? { messages: num(f.paceMessages), seconds: num(f.paceSeconds) } : undefined;
  return {
    ...base,
    displayName: f.displayName,
    replyTo: f.replyTo.trim() || null,
    smtp: { ...base.smtp, ...(f.keep ?? {}) },
    saveToSent: f.saveToSent,
    // Left empty: the provider's recommended pace (the server fills it in).
    ...(pace ? { pacing: pace } : {}),
    dailyCap: f.dailyCap.trim() ? num(f.dailyCap) : null,
    ownerUserId: num(f.owner),
  };
}

/** Server field path (ApiError.field) → the input that holds it; the rest as the quick set-up maps them. */
const OWN_FIELDS: Record<string, FormKey> = {
  displayName: 'displayName',
  replyTo: 'replyTo',
  pacing: 'paceMessages',
  'pacing.messages': 'paceMessages',
  'pacing.seconds': 'paceSeconds',
  dailyCap: 'dailyCap',
  ownerUserId: 'owner',
};

export function inputOf(field: string | null): FormKey | null {
  return field ? (OWN_FIELDS[field] ?? setupInputOf(field)) : null;
}
