import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { Gender } from '../../common/validation';
import { VerificationStatus } from './verification.types';

/**
 * A person's real-name profile, one row per user. The resident ID number is stored only sealed
 * (AES-256-GCM, the user id as associated data so a ciphertext cannot be moved to another user) and as
 * a precomputed masked copy for display; the plain number is never stored.
 */
@Entity('user_profiles')
export class UserProfile {
  @PrimaryColumn('uuid')
  userId: string;

  @Column({ type: 'varchar', length: 50 })
  realName: string;

  @Column({ type: 'varchar', length: 8 })
  gender: Gender;

  /** YYYY-MM-DD (a `date` column comes back as a string). */
  @Column({ type: 'date' })
  birthDate: string;

  @Column({ type: 'text' })
  idNumberCiphertext: string;

  @Column({ type: 'varchar', length: 32 })
  idNumberKeyId: string;

  @Column({ type: 'varchar', length: 18 })
  idNumberMasked: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  mobile: string | null;

  @Column({ type: 'varchar', length: 16, default: 'unverified' })
  realNameStatus: VerificationStatus;

  /** The reviewer's reason for the last decision (shown to the user when rejected). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  realNameReason: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  realNameDecidedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  /** Bumped by the owner's edits only (not by review decisions): it backs the ETag of PUT /me/profile. */
  @VersionColumn()
  version: number;
}
