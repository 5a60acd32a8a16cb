import { SocialPlatform } from '../../social-accounts/social-account.types';

/** One attachment of a content, as the content module stores it (`contents.attachments`). */
export interface PublishAttachment {
  url: string;
  type: 'image' | 'video' | 'audio' | 'file';
  size?: number;
  mimeType?: string;
}

/** The social account a content is published to, and on whose behalf. */
export interface PublishTargetAccount {
  id: string;
  platform: SocialPlatform;
  handle: string;
  /** The brand that owns the account. */
  brandOrgId: string;
  /** The agency publishing under the brand's authorization; null when the brand publishes itself. */
  agencyOrgId: string | null;
}

/** Everything a connector needs to publish one content once. */
export interface PublishRequest {
  contentId: string;
  /** The attempt number (from 1); the sandbox records it, live connectors may log it. */
  attempt: number;
  kind: 'video' | 'image_text' | 'article' | 'post';
  title: string;
  body: string;
  tags: string[];
  attachments: PublishAttachment[];
  account: PublishTargetAccount;
  /**
   * Aborts when the attempt's lease is about to end. A connector must stop (and every HTTP call it makes
   * must honour it) so that its result is never recorded after another replica declared it unknown.
   */
  signal: AbortSignal;
}

export interface PublishResult {
  /** The platform's id of the new post. */
  externalPostId: string;
  /** A link to the post, when the platform gives one. */
  url?: string;
}

/**
 * Why a publish failed. `retryable` says whether the same request could succeed later (a timeout, a
 * 5xx, a busy platform) or never will as it stands (a refused token, content the platform rejects):
 * the job retries only the former, with backoff. Messages are shown to people: no secrets in them.
 */
export class PublishError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** A stable code for the kind of failure, e.g. `douyin.2190008` or `media.too_large`. */
    readonly code: string,
  ) {
    super(message);
    this.name = 'PublishError';
  }
}

/**
 * How content reaches a platform. Implementations call the platform and nothing else: the job records
 * attempts, states, usage records and notifications around them. A connector is called outside any
 * database transaction and at most once per attempt.
 */
export interface PublishConnector {
  /** Stored with each attempt (`content_publish_attempts.connector`). */
  readonly name: string;
  publish(request: PublishRequest): Promise<PublishResult>;
}
