/**
 * Every kind of usage record. Other modules append their own actions (content.published, ads.*,
 * analytics.*) through UsageRecordsService; add them here so the list stays the one reference.
 */
export const USAGE_ACTIONS = [
  'account.created',
  'account.updated',
  'account.status_changed',
  'account.archived',
  'authorization.offered',
  'authorization.accepted',
  'authorization.declined',
  'authorization.revoked',
  'authorization.expired',
  'assignment.added',
  'assignment.removed',
  'credential.stored',
  'credential.rotated',
  'credential.refreshed',
  'credential.revealed',
  'credential.removed',
  'credential.reencrypted',
  'content.published',
  'content.publish_refused',
  'content.publish_failed',
  'ads.action',
  'analytics.read',
] as const;

export type UsageAction = (typeof USAGE_ACTIONS)[number];
