import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { VerificationStatus } from './verification.types';

/** Enterprise information of an agency or brand organization, one row per organization. */
@Entity('enterprise_profiles')
export class EnterpriseProfile {
  @PrimaryColumn('uuid')
  orgId: string;

  @Column({ type: 'varchar', length: 200 })
  companyName: string;

  @Column({ type: 'char', length: 18 })
  creditCode: string;

  @Column({ type: 'varchar', length: 50 })
  contactPerson: string;

  @Column({ type: 'varchar', length: 24 })
  contactPhone: string;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 16, default: 'unverified' })
  verificationStatus: VerificationStatus;

  @Column({ type: 'varchar', length: 500, nullable: true })
  verificationReason: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  verificationDecidedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
