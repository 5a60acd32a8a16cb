import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, FieldError } from '../../platform/errors';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

/** Facts about the account the password is for; a password must not contain them. */
export interface PasswordContext {
  username: string;
  email?: string | null;
  phone?: string | null;
}

const COMMON_PASSWORDS_FILE = join(__dirname, 'common-passwords.txt');

let commonPasswords: ReadonlySet<string> | undefined;

/** Read once per process; the file sits beside this module in src/ and (as a nest asset) in dist/. */
export function loadCommonPasswords(file = COMMON_PASSWORDS_FILE): ReadonlySet<string> {
  if (file === COMMON_PASSWORDS_FILE && commonPasswords) return commonPasswords;
  const entries = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim().toLowerCase())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  const set = new Set(entries);
  if (file === COMMON_PASSWORDS_FILE) commonPasswords = set;
  return set;
}

/**
 * The password rules of OWASP ASVS V2.1 / NIST 800-63B: long enough, not a known-common password, not
 * built from the account's own identifiers. Deliberately no composition rules (they push people to
 * `Password1!`), and no maximum below 128 so passphrases fit.
 */
@Injectable()
export class PasswordPolicy {
  private readonly common: ReadonlySet<string>;

  constructor() {
    this.common = loadCommonPasswords();
  }

  /** Every rule the password breaks, as messages; empty when it is acceptable. */
  problems(password: string, context: PasswordContext): string[] {
    const problems: string[] = [];
    // Count code points, not UTF-16 units, so a passphrase in Chinese is measured as people read it.
    const length = [...password].length;
    if (length < PASSWORD_MIN_LENGTH)
      problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters long`);
    if (length > PASSWORD_MAX_LENGTH) problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters long`);

    const lowered = password.toLowerCase();
    if (this.common.has(lowered) || this.common.has(lowered.trim())) {
      problems.push('is too common; choose a password that is not on lists of frequently used passwords');
    }
    const username = context.username.trim().toLowerCase();
    if (username && lowered.includes(username)) problems.push('must not contain the username');
    const emailName = context.email?.trim().toLowerCase().split('@')[0] ?? '';
    if (emailName.length >= 4 && lowered.includes(emailName))
      problems.push('must not contain the email address');
    const phone = context.phone?.replace(/\D/g, '') ?? '';
    if (phone.length >= 7 && password.replace(/\D/g, '').includes(phone)) {
      problems.push('must not contain the phone number');
    }
    return problems;
  }

  /** Throws `weak_password` naming the field, so the client can show the messages next to it. */
  assertAcceptable(password: string, context: PasswordContext, field = 'password'): void {
    const problems = this.problems(password, context);
    if (problems.length === 0) return;
    const errors: FieldError[] = problems.map((message) => ({ field, message }));
    throw new DomainError(ErrorCode.WeakPassword, 'The password does not meet the password policy', {
      errors,
    });
  }
}
