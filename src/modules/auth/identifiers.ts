import { isEmail } from 'class-validator';
import { isMainlandMobile, normalizeMainlandMobile } from '../../common/validation';

/** 4–32 letters, digits or underscores. Uniqueness is case-insensitive (see the users_username_key index). */
export const USERNAME_PATTERN = /^[A-Za-z0-9_]{4,32}$/;

export const EMAIL_MAX_LENGTH = 254;

export type Channel = 'sms' | 'email';

export const CHANNELS: readonly Channel[] = ['sms', 'email'];

/** Emails compare case-insensitively everywhere, so they are stored and looked up lower-cased. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** The mobile number without country code or separators, or null when it is not a mainland mobile. */
export function toMobile(value: string): string | null {
  const normalized = normalizeMainlandMobile(value);
  return isMainlandMobile(normalized) ? normalized : null;
}

export function isValidTarget(channel: Channel, target: string): boolean {
  return channel === 'email'
    ? target.trim().length <= EMAIL_MAX_LENGTH && isEmail(target.trim())
    : toMobile(target) !== null;
}

/** The form a target is stored, rate-limited and matched in. Call after `isValidTarget`. */
export function normalizeTarget(channel: Channel, target: string): string {
  return channel === 'email' ? normalizeEmail(target) : (toMobile(target) ?? target.trim());
}

export type LoginKind = 'username' | 'email' | 'phone';

export interface LoginIdentifier {
  kind: LoginKind;
  /** The normalized value: the lookup key of the user and of the lockout counter. */
  value: string;
}

/**
 * Reads what a person typed into the login field. The kinds cannot collide: usernames contain no `@`,
 * and registration refuses usernames that are mobile numbers (see UserAccountsService).
 */
export function parseLogin(raw: string): LoginIdentifier {
  const trimmed = raw.trim();
  if (trimmed.includes('@')) return { kind: 'email', value: normalizeEmail(trimmed) };
  const mobile = toMobile(trimmed);
  if (mobile) return { kind: 'phone', value: mobile };
  return { kind: 'username', value: trimmed.toLowerCase() };
}

/** The channel a login identifier can receive messages on, if any. */
export const channelOf = (login: LoginIdentifier): Channel | null =>
  login.kind === 'email' ? 'email' : login.kind === 'phone' ? 'sms' : null;
