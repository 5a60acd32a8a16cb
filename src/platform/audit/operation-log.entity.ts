import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type OperationResult = 'success' | 'failure';

/** One recorded API operation. Append-only: the database refuses UPDATE, DELETE and TRUNCATE. */
@Entity('operation_logs')
export class OperationLog {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The organization the request acted in; null for routes outside one (login, `/me`, …). */
  @Column({ type: 'uuid', nullable: true })
  orgId: string | null;

  @Column({ type: 'uuid', nullable: true })
  actorUserId: string | null;

  @Column({ type: 'uuid', nullable: true })
  apiKeyId: string | null;

  /** The operationId (handler name), e.g. `createRole`. */
  @Column({ type: 'varchar', length: 100 })
  action: string;

  /** Name of the path parameter the target id came from, e.g. `roleId`. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  targetType: string | null;

  @Column({ type: 'uuid', nullable: true })
  targetId: string | null;

  @Column({ type: 'varchar', length: 10 })
  method: string;

  /** The route pattern, e.g. `/api/v1/orgs/:orgId/roles/:roleId`. */
  @Column({ type: 'varchar', length: 300 })
  route: string;

  /** The path actually requested, without its query string. */
  @Column({ type: 'varchar', length: 2048 })
  path: string;

  @Column({ type: 'smallint' })
  statusCode: number;

  @Column({ type: 'varchar', length: 8 })
  result: OperationResult;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ type: 'varchar', length: 128 })
  requestId: string;

  @Column({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
