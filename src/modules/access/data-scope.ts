import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { whenStatementSucceeds } from '../../platform/database/statement-outcomes';
import type { Bind } from '../../platform/http/pagination';
import { DataScopeKind, ScopedGrant } from './actor';
import { DeferredAccessCheck } from './deferred-access-check';
import { PermissionCode } from './permission-catalogue';

export interface ScopeColumns {
  /** Column holding the row's unit id, if the rows belong to units. */
  unit?: string;
  /** Column holding the owner's user id, if rows are owned by people. */
  owner?: string;
}

export interface ScopedRow {
  /** Materialized path of the row's unit (ltree text), or null when the row has no unit. */
  unitPath: string | null;
  ownerId: string | null;
}

/**
 * Parameter names of one application of a scope: the first `__scopeN` free in the query and its
 * parents (a subquery's parameters are its parent's too), so two scopes in one query never collide.
 * The same N on every request, never a process-wide counter: unique names per request gave every
 * query's parameter object a new shape, which kept V8 re-optimizing TypeORM's code (about a tenth of a
 * scoped list's CPU).
 */
function parameterPrefix<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>): string {
  for (let n = 1; ; n++) {
    const prefix = `__scope${n}`;
    if (!qb.hasParameter(`${prefix}org`)) return prefix;
  }
}

const covers = (grant: ScopedGrant, row: ScopedRow, userId: string | null): boolean => {
  switch (grant.scope) {
    case 'org':
      return true;
    case 'subtree':
      return (
        row.unitPath !== null &&
        (row.unitPath === grant.unitPath || row.unitPath.startsWith(`${grant.unitPath}.`))
      );
    case 'unit':
      return row.unitPath !== null && row.unitPath === grant.unitPath;
    case 'self':
      return userId !== null && row.ownerId === userId;
  }
};

/**
 * What rows of one organization the caller may touch with one permission: the union of its allow
 * grants minus the union of its deny grants (an explicit deny always wins). Repositories turn it into
 * a single SQL predicate with `apply`; single-row decisions use `allows`. Built only by the AccessGuard.
 */
export class DataScope {
  readonly allows: ScopedGrant[];
  readonly denies: ScopedGrant[];
  /** A statement made with `predicate` carries the deferred access check. */
  private carriesCheck = false;

  constructor(
    readonly orgId: string,
    readonly permission: PermissionCode,
    readonly userId: string | null,
    grants: readonly ScopedGrant[],
    /** Set when the guard allowed a pure read from cached grants: the check travels in the query. */
    readonly deferredCheck: DeferredAccessCheck | null = null,
  ) {
    const relevant = grants.filter((g) => g.permission === permission);
    this.allows = relevant.filter((g) => g.effect === 'allow');
    this.denies = relevant.filter((g) => g.effect === 'deny');
  }

  /** True when some row could be allowed: the guard refuses the request outright otherwise. */
  get isEmpty(): boolean {
    if (this.allows.length === 0) return true;
    return this.denies.some((d) => d.scope === 'org');
  }

  /** The whole organization, with no deny carving anything out. */
  get coversOrganization(): boolean {
    return this.allows.some((g) => g.scope === 'org') && this.denies.length === 0;
  }

  /** Decision for one row, in memory (the row's unit path is needed). */
  permits(row: ScopedRow): boolean {
    return (
      this.allows.some((g) => covers(g, row, this.userId)) &&
      !this.denies.some((g) => covers(g, row, this.userId))
    );
  }

  /** May the caller act on rows of this unit (e.g. create a row there)? */
  permitsUnit(unitPath: string, ownerId: string | null = this.userId): boolean {
    return this.permits({ unitPath, ownerId });
  }

  /**
   * Adds `org = :org AND (allowed) AND NOT (denied)` to a query. Always call this before paging.
   * When the request's access check was deferred, the query carries it too (and fails if it fails).
   * `orgColumn` is required: a scope never spans organizations.
   */
  apply<E extends ObjectLiteral>(
    qb: SelectQueryBuilder<E>,
    columns: ScopeColumns & { org: string },
  ): SelectQueryBuilder<E> {
    const check = this.pendingCheck();
    const bind: Bind = (name, value) => {
      qb.setParameter(name, value);
      return `:${name}`;
    };
    for (const condition of this.conditions(columns, parameterPrefix(qb), check, bind))
      qb.andWhere(condition);
    if (check) whenStatementSucceeds(qb, () => check.confirm());
    return qb;
  }

  /**
   * The same predicate as `apply`, as SQL conditions for a statement written by hand (`paginateSql`),
   * placeholders made by `bind`. Call `statementSucceeded` once the statement ran, which confirms a
   * deferred access check it carried.
   */
  predicate(columns: ScopeColumns & { org: string }, bind: Bind): string[] {
    const check = this.pendingCheck();
    if (check) this.carriesCheck = true;
    return this.conditions(columns, '__scope', check, bind);
  }

  /** A statement made with `predicate` succeeded. */
  statementSucceeded(): void {
    if (this.carriesCheck) this.deferredCheck?.confirm();
  }

  private pendingCheck(): DeferredAccessCheck | null {
    return this.deferredCheck && !this.deferredCheck.isConfirmed ? this.deferredCheck : null;
  }

  /** `org = …`, the deferred check when one is pending, `(allowed)` and `NOT (denied)`. */
  private conditions(
    columns: ScopeColumns & { org: string },
    p: string,
    check: DeferredAccessCheck | null,
    bind: Bind,
  ): string[] {
    const conditions = [`${columns.org} = ${bind(`${p}org`, this.orgId)}`];
    if (check) conditions.push(check.sql(bind));
    conditions.push(`(${this.sqlFor(this.allows, columns, `${p}a`, bind)})`);
    if (this.denies.length > 0) {
      conditions.push(`NOT COALESCE((${this.sqlFor(this.denies, columns, `${p}d`, bind)}), false)`);
    }
    return conditions;
  }

  private sqlFor(grants: ScopedGrant[], columns: ScopeColumns, p: string, bind: Bind): string {
    if (grants.length === 0) return 'false';
    if (grants.some((g) => g.scope === 'org')) return 'true';
    const parts: string[] = [];
    const byScope = (scope: DataScopeKind) => grants.filter((g) => g.scope === scope);
    const subtreePaths = byScope('subtree').map((g) => g.unitPath);
    const unitIds = byScope('unit').map((g) => g.unitId);
    if (columns.unit && subtreePaths.length > 0) {
      parts.push(
        `${columns.unit} IN (SELECT su.id FROM org_units su WHERE su.org_id = ${bind(`${p}org2`, this.orgId)} AND su.path <@ CAST(${bind(`${p}paths`, subtreePaths)} AS ltree[]))`,
      );
    }
    if (columns.unit && unitIds.length === 1) {
      // One unit (the common case) as an equality: PostgreSQL (before 17) cannot read an index in
      // order through `= ANY(array)` on a non-leading column, so a keyset page would sort every row.
      parts.push(`${columns.unit} = CAST(${bind(`${p}unit`, unitIds[0])} AS uuid)`);
    } else if (columns.unit && unitIds.length > 1) {
      parts.push(`${columns.unit} = ANY(CAST(${bind(`${p}units`, unitIds)} AS uuid[]))`);
    }
    if (columns.owner && this.userId && byScope('self').length > 0) {
      parts.push(`${columns.owner} = ${bind(`${p}owner`, this.userId)}`);
    }
    return parts.length > 0 ? parts.map((s) => `(${s})`).join(' OR ') : 'false';
  }

  /** Strongest scope held at a given unit, for describing effective permissions. */
  static strongest(scopes: DataScopeKind[]): DataScopeKind | null {
    const order: DataScopeKind[] = ['org', 'subtree', 'unit', 'self'];
    return order.find((s) => scopes.includes(s)) ?? null;
  }
}
