import type { Bind } from '../../platform/http/pagination';

/** SQLSTATE raised by `access_check_current` (migration AddAccessCheckFunction). */
export const ACCESS_CHANGED_SQLSTATE = 'DYA01';

/** The failure of a statement that carried the check: the cached grants may no longer hold. */
export function isAccessChanged(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: unknown } } | null)?.driverError;
  return (driverError?.code ?? (error as { code?: unknown } | null)?.code) === ACCESS_CHANGED_SQLSTATE;
}

/**
 * The per-request access check of a pure read that the guard allowed from cached grants, not yet run.
 * A scoped list carries it in its own statement (`DataScope.apply` adds it, pagination confirms it);
 * whatever is still unconfirmed when the handler finishes is run on its own by the
 * DeferredAccessInterceptor before anything is answered. Either way no response leaves without the
 * check, and when it fails the request is decided again from fresh grants and answered from scratch.
 */
export class DeferredAccessCheck {
  private confirmed = false;

  constructor(
    readonly orgId: string,
    readonly userId: string,
    readonly sessionId: string,
    readonly at: Date,
    /** The organization's access version the cached grants were read at. */
    readonly accessVersion: string,
  ) {}

  get isConfirmed(): boolean {
    return this.confirmed;
  }

  confirm(): void {
    this.confirmed = true;
  }

  /** The function call as SQL, for the check run on its own. */
  static readonly STANDALONE = `SELECT access_check_current($1, $2, $3, $4, CAST($5 AS bigint)) AS ok`;

  get values(): unknown[] {
    return [this.orgId, this.userId, this.sessionId, this.at, this.accessVersion];
  }

  /**
   * The check as a one-time condition (an init plan: evaluated once per statement, before any row, even
   * when no row matches), placeholders made by `bind`. Fixed parameter names keep a builder's parameter
   * objects one shape from request to request.
   */
  sql(bind: Bind): string {
    return (
      `(SELECT access_check_current(${bind('__accessOrg', this.orgId)}, ${bind('__accessUser', this.userId)}, ` +
      `${bind('__accessSession', this.sessionId)}, ${bind('__accessAt', this.at)}, ` +
      `CAST(${bind('__accessVersion', this.accessVersion)} AS bigint)))`
    );
  }
}
