import { DomainError, ErrorCode } from '../../platform/errors';
import { DataScope } from '../access/data-scope';

/**
 * Calendars and SLA policies apply to every ticket of the organization, so changing them needs the
 * permission over the whole organization: a grant limited to a unit does not reach that far, and an
 * organization-wide deny of part of it fails closed here.
 */
export function assertEditable(scope: DataScope, what: string): void {
  if (!scope.coversOrganization) {
    throw new DomainError(
      ErrorCode.PermissionDenied,
      `Changing ${what} needs ${scope.permission} over the whole organization`,
      { extensions: { permission: scope.permission } },
    );
  }
}
