import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../../platform/config/app-config';
import { FetchedMedia, failureReason } from '../media-fetcher';
import { classifyDouyinCode, DouyinApiError, douyinErrorOf } from './douyin-errors';

/** A user token and the user it belongs to: what every call on an account's behalf sends. */
export interface DouyinAuth {
  accessToken: string;
  openId: string;
}

/** The answer of /oauth/refresh_token/ (numbers may come as strings: the documented sample does). */
export interface DouyinTokenGrant {
  accessToken: string;
  expiresInSeconds: number;
  refreshToken: string | null;
  refreshExpiresInSeconds: number | null;
  openId: string | null;
}

interface CallOptions {
  /** Name of the endpoint for messages, e.g. `upload_video`. */
  endpoint: string;
  signal: AbortSignal;
  timeoutMs: number;
  /**
   * The call creates a post. A create that got no answer may have succeeded, so it must not be repeated
   * blindly: a lost answer is reported as a permanent failure with an unknown outcome.
   */
  creates?: boolean;
}

/** Connection failures that happen before a request is sent: repeating such a request is always safe. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * The Douyin Open Platform's HTTP API, as documented at developer.open-douyin.com. Every call answers
 * `{ data: { error_code, description, … }, extra: { error_code, description, sub_error_code, logid, now } }`;
 * a non-zero code or a non-2xx status becomes a DouyinApiError. Uses the global fetch (undici) with a
 * timeout per call on top of the caller's signal (the publish attempt's lease).
 */
@Injectable()
export class DouyinOpenApi {
  private readonly baseUrl: string;
  private readonly clientKey: string;
  private readonly apiTimeoutMs: number;
  readonly uploadTimeoutMs: number;

  constructor({ env }: AppConfig) {
    this.baseUrl = env.DOUYIN_OPEN_API_BASE_URL.replace(/\/+$/, '');
    this.clientKey = env.DOUYIN_CLIENT_KEY ?? '';
    this.apiTimeoutMs = env.DOUYIN_HTTP_TIMEOUT_SECONDS * 1000;
    this.uploadTimeoutMs = env.DOUYIN_UPLOAD_TIMEOUT_SECONDS * 1000;
  }

  /**
   * 刷新 access_token: `POST /oauth/refresh_token/`, form-urlencoded `client_key`, `grant_type=refresh_token`,
   * `refresh_token` → `data.{access_token, expires_in, refresh_token, refresh_expires_in, open_id}`
   * (developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/account-permission/refresh-access-token).
   */
  async refreshAccessToken(refreshToken: string, signal: AbortSignal): Promise<DouyinTokenGrant> {
    const data = await this.call(
      '/oauth/refresh_token/',
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_key: this.clientKey,
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
        }).toString(),
      },
      { endpoint: 'refresh_token', signal, timeoutMs: this.apiTimeoutMs },
    );
    const accessToken = text(data.access_token);
    const expiresIn = seconds(data.expires_in);
    if (!accessToken || expiresIn === null) throw malformed('refresh_token', 'access_token or expires_in');
    return {
      accessToken,
      expiresInSeconds: expiresIn,
      refreshToken: text(data.refresh_token),
      refreshExpiresInSeconds: seconds(data.refresh_expires_in),
      openId: text(data.open_id),
    };
  }

  /**
   * 上传视频: `POST /api/douyin/v1/video/upload_video/?open_id=…`, header `access-token`, multipart field
   * `video` → `data.video.video_id` (…/openapi/video-management/douyin/create-video/upload-video). Files
   * over 128 MB need the part upload, which the connector refuses before calling.
   */
  async uploadVideo(auth: DouyinAuth, file: FetchedMedia, signal: AbortSignal): Promise<string> {
    const form = new FormData();
    form.append('video', file.blob, file.filename);
    const data = await this.call(
      `/api/douyin/v1/video/upload_video/?open_id=${encodeURIComponent(auth.openId)}`,
      { method: 'POST', headers: { 'access-token': auth.accessToken }, body: form },
      { endpoint: 'upload_video', signal, timeoutMs: this.uploadTimeoutMs },
    );
    const videoId = text((data.video as Record<string, unknown> | undefined)?.video_id);
    if (!videoId) throw malformed('upload_video', 'video.video_id');
    return videoId;
  }

  /**
   * 上传图片: `POST /api/douyin/v1/video/upload_image/?open_id=…`, header `access-token`, multipart field
   * `image` → `data.image.image_id` (…/openapi/video-management/douyin/create-image-text/image-upload).
   */
  async uploadImage(auth: DouyinAuth, file: FetchedMedia, signal: AbortSignal): Promise<string> {
    const form = new FormData();
    form.append('image', file.blob, file.filename);
    const data = await this.call(
      `/api/douyin/v1/video/upload_image/?open_id=${encodeURIComponent(auth.openId)}`,
      { method: 'POST', headers: { 'access-token': auth.accessToken }, body: form },
      { endpoint: 'upload_image', signal, timeoutMs: this.uploadTimeoutMs },
    );
    const imageId = text((data.image as Record<string, unknown> | undefined)?.image_id);
    if (!imageId) throw malformed('upload_image', 'image.image_id');
    return imageId;
  }

  /**
   * 创建视频: `POST /api/douyin/v1/video/create_video/?open_id=…`, header `access-token`, JSON
   * `{ video_id, text }` → `data.item_id` (…/openapi/video-management/douyin/create-video/video-create).
   */
  async createVideo(
    auth: DouyinAuth,
    post: { videoId: string; text: string },
    signal: AbortSignal,
  ): Promise<string> {
    return this.create('create_video', auth, { video_id: post.videoId, text: post.text }, signal);
  }

  /**
   * 发布图文: `POST /api/douyin/v1/video/create_image_text/?open_id=…`, header `access-token`, JSON
   * `{ image_list, text }` → `data.item_id` (…/openapi/video-management/douyin/create-image-text/create-image-text).
   */
  async createImageText(
    auth: DouyinAuth,
    post: { imageIds: string[]; text: string },
    signal: AbortSignal,
  ): Promise<string> {
    return this.create('create_image_text', auth, { image_list: post.imageIds, text: post.text }, signal);
  }

  private async create(
    endpoint: 'create_video' | 'create_image_text',
    auth: DouyinAuth,
    body: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<string> {
    const data = await this.call(
      `/api/douyin/v1/video/${endpoint}/?open_id=${encodeURIComponent(auth.openId)}`,
      {
        method: 'POST',
        headers: { 'access-token': auth.accessToken, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
      { endpoint, signal, timeoutMs: this.apiTimeoutMs, creates: true },
    );
    const itemId = text(data.item_id);
    if (!itemId) throw malformed(endpoint, 'item_id');
    return itemId;
  }

  /** One HTTP call; answers `data` of a successful response, throws a classified DouyinApiError otherwise. */
  private async call(
    path: string,
    init: RequestInit,
    options: CallOptions,
  ): Promise<Record<string, unknown>> {
    const { endpoint } = options;
    let response: Response;
    let payload: unknown;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        ...init,
        signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
      });
      payload = await response.json().catch(() => null);
    } catch (error) {
      throw transportFailure(endpoint, error, options);
    }

    const failure = douyinErrorOf(payload);
    if (failure) {
      throw new DouyinApiError(
        `Douyin ${endpoint} failed: ${failure.description} (error ${failure.code})`,
        classifyDouyinCode(failure.code),
        `douyin.${failure.code}`,
      );
    }
    if (!response.ok) {
      // 5xx and 429: the platform is failing or throttling, not refusing this request.
      const kind = response.status >= 500 || response.status === 429 ? 'retry_later' : 'rejected';
      throw new DouyinApiError(
        `Douyin ${endpoint} answered HTTP ${response.status}`,
        kind,
        `douyin.http_${response.status}`,
      );
    }
    const data = (payload as { data?: unknown } | null)?.data;
    if (!data || typeof data !== 'object') throw malformed(endpoint, 'data');
    return data as Record<string, unknown>;
  }
}

/**
 * No answer. Safe to repeat when the request never left (connection refused, DNS) or did not create
 * anything; a create that may have reached Douyin is reported as an unknown outcome, not retried.
 */
function transportFailure(endpoint: string, error: unknown, options: CallOptions): DouyinApiError {
  const reason = options.signal.aborted ? "the attempt's time ran out" : failureReason(error);
  const code = (error as { cause?: { code?: string } }).cause?.code;
  if (options.creates && !(code && NOT_SENT.has(code))) {
    return new DouyinApiError(
      `Douyin did not answer ${endpoint} (${reason}): the post may or may not exist. ` +
        'Check the account before retrying, or it may be published twice',
      'rejected',
      'douyin.outcome_unknown',
    );
  }
  return new DouyinApiError(
    `Douyin ${endpoint} could not be reached (${reason})`,
    'retry_later',
    'douyin.unreachable',
  );
}

const malformed = (endpoint: string, field: string) =>
  new DouyinApiError(
    `Douyin ${endpoint} answered without ${field}`,
    'retry_later',
    'douyin.malformed_response',
  );

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;

function seconds(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null;
}
