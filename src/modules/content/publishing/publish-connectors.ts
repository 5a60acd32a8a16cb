import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../platform/config/app-config';
import { SocialPlatform } from '../../social-accounts/social-account.types';
import { DouyinConnector } from './douyin/douyin.connector';
import { PublishConnector, PublishError } from './publish-connector';
import { SandboxConnector } from './sandbox/sandbox.connector';

/**
 * Which connector publishes to which platform. `PUBLISH_CONNECTOR=sandbox` (the default) sends every
 * platform to the sandbox; `douyin` sends Douyin accounts to Douyin, and has nothing for the other
 * platforms yet: their content fails to publish, visibly, rather than being "published" nowhere.
 */
@Injectable()
export class PublishConnectors {
  private readonly live: Partial<Record<SocialPlatform, PublishConnector>>;
  private readonly sandboxed: boolean;

  constructor(
    { env }: AppConfig,
    private readonly sandbox: SandboxConnector,
    douyin: DouyinConnector,
  ) {
    this.sandboxed = env.PUBLISH_CONNECTOR === 'sandbox';
    this.live = { douyin };
  }

  /** Throws a permanent PublishError when no connector serves the platform. */
  for(platform: SocialPlatform): PublishConnector {
    if (this.sandboxed) return this.sandbox;
    const connector = this.live[platform];
    if (!connector) {
      throw new PublishError(
        `No connector publishes to ${platform} accounts yet`,
        false,
        'connector.unavailable',
      );
    }
    return connector;
  }
}
