import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { DataScopeKind } from './actor';

/** (holder, role or single permission, unit, data scope). The holder is a member or an API key. */
@Entity('access_grants')
export class AccessGrant {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  orgId: string;

  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ type: 'uuid', nullable: true })
  apiKeyId: string | null;

  @Column({ type: 'uuid', nullable: true })
  roleId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  permission: string | null;

  @Column({ type: 'varchar', length: 8, default: 'allow' })
  effect: 'allow' | 'deny';

  @Column({ type: 'uuid' })
  unitId: string;

  @Column({ type: 'varchar', length: 8 })
  scope: DataScopeKind;

  @Column({ type: 'uuid', nullable: true })
  grantedBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
