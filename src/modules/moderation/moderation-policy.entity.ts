import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

/** An organization's moderation settings. No row means the defaults (`DEFAULT_POLICY`). */
@Entity('moderation_policies')
export class ModerationPolicyRecord {
  @PrimaryColumn({ type: 'uuid' })
  orgId: string;

  @Column({ type: 'boolean', default: false })
  organizationReview: boolean;

  @Column({ type: 'boolean', default: false })
  skipManualReviewForLowRisk: boolean;

  @Column({ type: 'varchar', length: 8, default: 'review' })
  absoluteTermsAction: 'review' | 'block';

  @Column({ type: 'uuid', nullable: true })
  updatedBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
