import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { RequestStatus, SubmissionSnapshot, VerificationKind } from './verification.types';

/**
 * One submission for platform review: a person's real name or an organization's enterprise
 * information. The snapshot holds what was submitted, masked, so the decision is on record against
 * exactly what the reviewer saw.
 */
@Entity('verification_requests')
export class VerificationRequest {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 16 })
  kind: VerificationKind;

  /** The person, for `real_name`. */
  @Column({ type: 'uuid', nullable: true })
  subjectUserId: string | null;

  /** The organization, for `enterprise`. */
  @Column({ type: 'uuid', nullable: true })
  subjectOrgId: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: RequestStatus;

  @Column({ type: 'jsonb' })
  snapshot: SubmissionSnapshot;

  /** Who submitted it (null when an API key did). */
  @Column({ type: 'uuid', nullable: true })
  submittedBy: string | null;

  @Column({ type: 'timestamptz' })
  submittedAt: Date;

  @Column({ type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  /** Told to the subject; required to reject. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  reason: string | null;

  /** Internal reviewer note, never shown to the subject. */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  note: string | null;
}
