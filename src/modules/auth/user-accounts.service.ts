import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { isMainlandMobile } from '../../common/validation';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { User } from '../users/user.entity';
import { LoginIdentifier, normalizeEmail, toMobile, USERNAME_PATTERN } from './identifiers';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import { queryRows } from '../../platform/database/query-rows';

const ACCOUNT_COLUMNS = 'id, username, email, phone, status, password_hash AS "passwordHash"';

/** Each kind of login matches the same expression as the unique index on that column. */
const LOGIN_COLUMN = { username: 'lower(username)', email: 'lower(email)', phone: 'phone' } as const;

export interface NewUserInput {
  username: string;
  password: string;
  email?: string | null;
  phone?: string | null;
}

/** A user ready to insert: validated and with the password hashed. Build it with `prepare`. */
export interface PreparedUser {
  username: string;
  email: string | null;
  phone: string | null;
  passwordHash: string;
}

/** What authentication needs to know about an account. */
export interface AccountRecord {
  id: string;
  username: string;
  email: string | null;
  phone: string | null;
  status: 'active' | 'disabled';
  passwordHash: string;
}

export interface CreatedUser {
  id: string;
  username: string;
}

/**
 * Creating accounts and setting passwords, shared by registration, the ops CLI and password reset so
 * the rules (username shape, password policy, argon2id, uniqueness) live in one place.
 */
@Injectable()
export class UserAccountsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policy: PasswordPolicy,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  /**
   * Validates and hashes. Hashing takes tens of milliseconds on purpose, so it happens before the
   * transaction that inserts, never inside it.
   */
  async prepare(input: NewUserInput, passwordField = 'password'): Promise<PreparedUser> {
    const username = input.username.trim();
    if (!USERNAME_PATTERN.test(username)) {
      throw DomainError.validation('username', 'must be 4–32 letters, digits or underscores');
    }
    // Logins read an 11-digit mobile number as a phone, so such a username could never sign in.
    if (isMainlandMobile(username)) throw DomainError.validation('username', 'must not be a mobile number');
    const email = input.email ? normalizeEmail(input.email) : null;
    const phone = input.phone ? toMobile(input.phone) : null;
    if (input.phone && !phone)
      throw DomainError.validation('phone', 'must be an 11-digit mainland mobile number');
    this.policy.assertAcceptable(input.password, { username, email, phone }, passwordField);
    return { username, email, phone, passwordHash: await this.hasher.hash(input.password) };
  }

  /**
   * Inserts the user. A taken username, email or phone is 409 `duplicate`, deliberately without saying
   * which, so registration cannot be used to find out who has an account.
   */
  async insert(manager: EntityManager, user: PreparedUser): Promise<CreatedUser> {
    const taken: unknown[] = await manager.query(
      `SELECT 1 FROM users
       WHERE lower(username) = lower($1) OR ($2::text IS NOT NULL AND lower(email) = lower($2)) OR phone = $3
       LIMIT 1`,
      [user.username, user.email, user.phone],
    );
    if (taken.length > 0) throw this.duplicate();
    const now = this.clock.now();
    try {
      const saved = await manager.save(
        manager.create(User, {
          username: user.username,
          email: user.email,
          phone: user.phone,
          passwordHash: user.passwordHash,
          status: 'active',
          passwordChangedAt: now,
        }),
      );
      return { id: saved.id, username: saved.username };
    } catch (error) {
      // A concurrent registration won the race for one of the unique indexes.
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
        throw this.duplicate();
      }
      throw error;
    }
  }

  async findByLogin(login: LoginIdentifier): Promise<AccountRecord | null> {
    const [row] = await queryRows<AccountRecord>(
      this.dataSource,
      `SELECT ${ACCOUNT_COLUMNS} FROM users WHERE ${LOGIN_COLUMN[login.kind]} = $1`,
      [login.value],
    );
    return row ?? null;
  }

  async findById(id: string): Promise<AccountRecord | null> {
    const [row] = await queryRows<AccountRecord>(
      this.dataSource,
      `SELECT ${ACCOUNT_COLUMNS} FROM users WHERE id = $1`,
      [id],
    );
    return row ?? null;
  }

  /** Validates a new password for an existing account and hashes it (outside any transaction). */
  async preparePassword(
    account: { username: string; email: string | null; phone: string | null },
    password: string,
    field = 'newPassword',
  ): Promise<string> {
    this.policy.assertAcceptable(password, account, field);
    return this.hasher.hash(password);
  }

  async setPasswordHash(manager: EntityManager, userId: string, passwordHash: string): Promise<void> {
    await manager.query(
      `UPDATE users SET password_hash = $2, password_changed_at = $3, updated_at = $3, version = version + 1
       WHERE id = $1`,
      [userId, passwordHash, this.clock.now()],
    );
  }

  private duplicate(): DomainError {
    return new DomainError(
      ErrorCode.Duplicate,
      'An account with this username, email or phone already exists',
    );
  }
}
