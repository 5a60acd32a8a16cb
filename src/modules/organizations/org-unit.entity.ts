import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

/** A node of an organization's tree (company → department → team). `path` is an ltree of unit labels. */
@Entity('org_units')
export class OrgUnit {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  orgId: string;

  @Column({ type: 'uuid', nullable: true })
  parentId: string | null;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'ltree' })
  path: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}

/** The ltree label of a unit: its id without dashes (labels allow letters, digits and underscores). */
export const unitLabel = (unitId: string) => `u${unitId.replace(/-/g, '')}`;
