import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AgreementDocument = 'terms' | 'privacy';

/** Evidence that a user accepted a version of a legal document: when, and from where. */
@Entity('agreement_acceptances')
export class AgreementAcceptance {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 16 })
  document: AgreementDocument;

  @Column({ type: 'varchar', length: 32 })
  version: string;

  @Column({ type: 'timestamptz' })
  acceptedAt: Date;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;
}
