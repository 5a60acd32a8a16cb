export const SOCIAL_PLATFORMS = ['douyin', 'kuaishou', 'xiaohongshu', 'weibo', 'wechat_channels'] as const;
export type SocialPlatform = (typeof SOCIAL_PLATFORMS)[number];

/** `frozen`: the brand stopped all use; `suspended`: the platform did, with a reason and maybe an end. */
export const ACCOUNT_STATUSES = ['active', 'frozen', 'suspended'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** What an authorization lets an agency do with an account. */
export const AUTHORIZATION_SCOPES = ['publish', 'analytics', 'ads', 'messages', 'manage'] as const;
export type AuthorizationScope = (typeof AUTHORIZATION_SCOPES)[number];

/** A platform suspension with an end date is over once that date has passed, job or no job. */
export function effectiveStatus(
  status: AccountStatus,
  suspendedUntil: Date | null,
  now: Date,
): AccountStatus {
  if (status === 'suspended' && suspendedUntil && suspendedUntil.getTime() <= now.getTime()) return 'active';
  return status;
}
