/** What a module asks the notifications service to deliver. */
export interface NotificationRequest {
  /** Recipients. */
  userIds: string[];
  /** Organization the notification concerns, if any. */
  orgId?: string | null;
  /** Stable type code clients switch on, e.g. `access.grant.added`, `auth.login.new_device`. */
  type: string;
  title: string;
  body: string;
  data?: Record<string, unknown>;
}
