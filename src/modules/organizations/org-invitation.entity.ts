import { DataScopeKind } from '../access/actor';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type InvitationStatus = 'pending' | 'accepted' | 'declined' | 'revoked';

@Entity('org_invitations')
export class OrgInvitation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  orgId: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'uuid' })
  unitId: string;

  @Column({ type: 'uuid', nullable: true })
  invitedBy: string | null;

  /** Role granted on acceptance (at unitId with scope), if the inviter chose one. */
  @Column({ type: 'uuid', nullable: true })
  roleId: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  scope: DataScopeKind | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: InvitationStatus;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;
}
