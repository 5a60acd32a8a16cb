import { Injectable } from '@nestjs/common';
import { MediaFetcher } from '../media-fetcher';
import { PublishConnector, PublishError, PublishRequest, PublishResult } from '../publish-connector';
import { DouyinApiError } from './douyin-errors';
import { DouyinAuth, DouyinOpenApi } from './douyin-open-api';
import { DouyinTokens } from './douyin-tokens';

/** upload_video takes at most 128 MB in one request; larger files need the part upload. */
const MAX_UPLOAD_BYTES = 128 * 1024 * 1024;
/** Images of one image post, as the create_image_text endpoint accepts them. */
const MAX_IMAGES = 35;

/**
 * Publishes videos and image posts (图文) to a Douyin account through the Douyin Open Platform:
 * a usable access token (refreshed when needed), the media uploaded, then the post created. Uploads
 * are repeatable; the create call is the one step that changes the account, and it is made once.
 * A token Douyin refuses is refreshed and the call repeated once; refused again, it is a permanent failure.
 */
@Injectable()
export class DouyinConnector implements PublishConnector {
  readonly name = 'douyin';

  constructor(
    private readonly api: DouyinOpenApi,
    private readonly tokens: DouyinTokens,
    private readonly media: MediaFetcher,
  ) {}

  async publish(request: PublishRequest): Promise<PublishResult> {
    if (request.account.platform !== 'douyin') {
      throw new PublishError(
        `The Douyin connector cannot publish to ${request.account.platform}`,
        false,
        'douyin.wrong_platform',
      );
    }
    const call = await this.authorizedCaller(request);
    const text = captionOf(request);

    switch (request.kind) {
      case 'video': {
        const video = request.attachments.find((a) => a.type === 'video');
        if (!video)
          throw new PublishError('A Douyin video post needs a video attachment', false, 'douyin.no_video');
        const file = await this.media.fetch(video, {
          maxBytes: MAX_UPLOAD_BYTES,
          signal: this.uploadSignal(request),
        });
        const videoId = await call((auth) => this.api.uploadVideo(auth, file, request.signal));
        return {
          externalPostId: await call((auth) => this.api.createVideo(auth, { videoId, text }, request.signal)),
        };
      }
      case 'image_text': {
        const images = request.attachments.filter((a) => a.type === 'image');
        if (images.length === 0) {
          throw new PublishError(
            'A Douyin image post needs at least one image attachment',
            false,
            'douyin.no_images',
          );
        }
        if (images.length > MAX_IMAGES) {
          throw new PublishError(
            `A Douyin image post holds at most ${MAX_IMAGES} images`,
            false,
            'douyin.too_many_images',
          );
        }
        const imageIds: string[] = [];
        for (const image of images) {
          const file = await this.media.fetch(image, {
            maxBytes: MAX_UPLOAD_BYTES,
            signal: this.uploadSignal(request),
          });
          imageIds.push(await call((auth) => this.api.uploadImage(auth, file, request.signal)));
        }
        return {
          externalPostId: await call((auth) =>
            this.api.createImageText(auth, { imageIds, text }, request.signal),
          ),
        };
      }
      default:
        throw new PublishError(
          `Douyin takes videos and image posts; a ${request.kind} cannot be published there`,
          false,
          'douyin.unsupported_kind',
        );
    }
  }

  /**
   * Runs calls with the account's token. On a token error the token is refreshed and the call made
   * again once: a call refused for its token changed nothing, so repeating it (even a create) is safe.
   */
  private async authorizedCaller(request: PublishRequest) {
    let auth = await this.tokens.forAccount(request.account, request.signal);
    return async <T>(operation: (auth: DouyinAuth) => Promise<T>): Promise<T> => {
      try {
        return await operation(auth);
      } catch (error) {
        if (!(error instanceof DouyinApiError) || error.kind !== 'token') throw error;
      }
      auth = await this.tokens.forAccount(request.account, request.signal, { forceRefresh: true });
      try {
        return await operation(auth);
      } catch (error) {
        if (error instanceof DouyinApiError && error.kind === 'token') {
          throw new PublishError(
            `Douyin refused the access token of @${request.account.handle} even after refreshing it ` +
              `(${error.message}): the account must authorize the app again`,
            false,
            'douyin.token_rejected',
          );
        }
        throw error;
      }
    };
  }

  private uploadSignal(request: PublishRequest): AbortSignal {
    return AbortSignal.any([request.signal, AbortSignal.timeout(this.api.uploadTimeoutMs)]);
  }
}

/** The post's text: the title, the body, then the tags as Douyin topics (#话题). */
export function captionOf(request: Pick<PublishRequest, 'title' | 'body' | 'tags'>): string {
  const topics = request.tags.map((tag) => `#${tag.replace(/\s+/g, '')}`).join(' ');
  return [request.title.trim(), request.body.trim(), topics].filter((part) => part.length > 0).join('\n');
}
