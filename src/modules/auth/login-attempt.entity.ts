import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type LoginResult = 'success' | 'failure' | 'locked' | 'rate_limited';

export type LoginFailureReason =
  'invalid_credentials' | 'account_disabled' | 'account_locked' | 'ip_rate_limited';

/** One row per login attempt, whether or not the login named an account; the user's history reads it. */
@Entity('login_attempts')
export class LoginAttempt {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The account the login named, when it named one. */
  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  /** The normalized login identifier as typed. */
  @Column({ type: 'varchar', length: 254 })
  login: string;

  @Column({ type: 'varchar', length: 64 })
  ip: string;

  @Column({ type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ type: 'varchar', length: 16 })
  result: LoginResult;

  @Column({ type: 'varchar', length: 32, nullable: true })
  reason: LoginFailureReason | null;

  @Column({ type: 'uuid', nullable: true })
  sessionId: string | null;

  @Column({ type: 'timestamptz' })
  createdAt: Date;
}
