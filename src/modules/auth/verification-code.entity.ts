import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Channel } from './identifiers';

export type VerificationPurpose = 'register' | 'password_reset';

export const VERIFICATION_PURPOSES: readonly VerificationPurpose[] = ['register', 'password_reset'];

@Entity('verification_codes')
export class VerificationCode {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 8 })
  channel: Channel;

  /** Normalized email or mobile number. */
  @Column({ type: 'varchar', length: 254 })
  target: string;

  @Column({ type: 'varchar', length: 32 })
  purpose: VerificationPurpose;

  /** HMAC-SHA256 of the code bound to channel, target and purpose. */
  @Column({ type: 'char', length: 64 })
  codeHash: string;

  @Column({ type: 'smallint', default: 0 })
  attempts: number;

  @Column({ type: 'smallint' })
  maxAttempts: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  consumedAt: Date | null;
}
