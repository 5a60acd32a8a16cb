import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type SessionRevokedReason = 'logout' | 'refresh_reuse' | 'password_reset';

/**
 * A signed-in device. Access tokens name it (`sid`) and the AccessGuard checks on every request that it
 * is neither revoked nor expired, so revoking it signs the device out at once. It is also the family of
 * the refresh tokens issued to that device.
 */
@Entity('auth_sessions')
export class AuthSession {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  revokedReason: SessionRevokedReason | null;
}
