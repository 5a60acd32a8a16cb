import { Column, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

@Entity('org_members')
export class OrgMember {
  @PrimaryColumn('uuid')
  orgId: string;

  @PrimaryColumn('uuid')
  userId: string;

  /** Primary unit: where the member sits, and what `members:read` scopes by. */
  @Column({ type: 'uuid' })
  unitId: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: 'active' | 'removed';

  /** Millisecond precision, like the cursors that page by it: the members list seeks on it by index. */
  @Column({ type: 'timestamptz', precision: 3 })
  joinedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  removedAt: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
