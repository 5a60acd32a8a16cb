import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Consecutive failed logins per normalized login identifier, existing account or not, so a lockout
 * looks the same for a login that names nobody.
 */
@Entity('login_failures')
export class LoginFailure {
  @PrimaryColumn({ type: 'varchar', length: 254 })
  login: string;

  @Column({ type: 'integer' })
  failures: number;

  @Column({ type: 'timestamptz' })
  windowStartedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ type: 'timestamptz' })
  updatedAt: Date;
}
