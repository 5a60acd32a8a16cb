import { Injectable } from '@nestjs/common';
import { Pool, QueryResultRow } from 'pg';
import { DataSource, ObjectLiteral, QueryFailedError, SelectQueryBuilder } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { AppConfig } from '../config/app-config';

/** At most this many distinct query-builder statements get a name per process; the rest run unnamed. */
const MAX_NAMED_BUILT_STATEMENTS = 256;

/**
 * The hottest reads (the access check of every request, the lists our throughput goal is measured on)
 * as named prepared statements on the pool behind TypeORM. PostgreSQL then parses and plans each of
 * them once per connection instead of on every call: planning the five-table grants query took
 * 0.8 ms, four times its execution. Everything else goes through TypeORM as usual.
 *
 * Statements are logged through TypeORM's logger like any other query, and failures are TypeORM's
 * QueryFailedError, so error mapping does not care which path a query took.
 * DATABASE_PREPARED_STATEMENTS=false sends them unnamed (for a pooler that cannot keep prepared
 * statements, e.g. PgBouncer in transaction mode before 1.21).
 */
@Injectable()
export class PreparedQueries {
  private readonly named: boolean;
  private readonly builtNames = new Map<string, string>();

  constructor(
    private readonly dataSource: DataSource,
    { env }: AppConfig,
  ) {
    this.named = env.DATABASE_PREPARED_STATEMENTS;
  }

  /** Rows of a fixed statement; `name` must be unique to its text for the life of the process. */
  async rows<R extends QueryResultRow>(name: string, text: string, values: unknown[]): Promise<R[]> {
    const pool: Pool = (this.dataSource.driver as PostgresDriver).master;
    this.dataSource.logger.logQuery(text, values);
    try {
      const result = await pool.query<R>(this.named ? { name, text, values } : { text, values });
      return result.rows;
    } catch (error) {
      this.dataSource.logger.logQueryError(error as Error, text, values);
      throw new QueryFailedError(text, values, error as Error);
    }
  }

  /** `getRawMany()` of a query builder, prepared under a name derived from its SQL. */
  rawMany<R extends QueryResultRow, E extends ObjectLiteral = ObjectLiteral>(
    qb: SelectQueryBuilder<E>,
  ): Promise<R[]> {
    const [text, values] = qb.getQueryAndParameters();
    return this.statement<R>(text, values);
  }

  /**
   * Rows of a statement whose text varies with its shape (filters present or not, a cursor or not),
   * prepared under a name derived from the text: each shape is parsed and planned once per connection.
   */
  statement<R extends QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    let name = this.builtNames.get(text);
    if (name === undefined && this.builtNames.size < MAX_NAMED_BUILT_STATEMENTS) {
      name = `daiyun_built_${this.builtNames.size + 1}`;
      this.builtNames.set(text, name);
    }
    return name ? this.rows<R>(name, text, values) : this.dataSource.query<R[]>(text, values);
  }
}
