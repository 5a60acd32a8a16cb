import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Douyin Open Platform, speaking the documented shapes of the endpoints the
 * Douyin connector uses (refresh_token, upload_video, upload_image, create_video, create_image_text),
 * plus `/media/*` to serve attachment bytes. Tests register tokens, script failures and read the calls.
 */

export type FakeEndpoint =
  'refresh_token' | 'upload_video' | 'upload_image' | 'create_video' | 'create_image_text';

export interface FakeCall {
  endpoint: FakeEndpoint | 'media';
  openId: string | null;
  accessToken: string | null;
  /** Form fields of refresh_token, JSON body of the creates. */
  body: Record<string, unknown>;
  /** The uploaded file of upload_video / upload_image: its form field, name and size. */
  file: { field: string; name: string; size: number } | null;
}

export interface FakeFailure {
  /** HTTP status to answer (default 200, as Douyin answers its error codes). */
  status?: number;
  /** Douyin error code in `data.error_code` and `extra.error_code`. */
  errorCode?: number;
  description?: string;
  /** Answer (normally) only after this long: a client with a shorter timeout never sees the answer. */
  hangMs?: number;
}

const ENDPOINTS: Record<string, FakeEndpoint> = {
  '/oauth/refresh_token/': 'refresh_token',
  '/api/douyin/v1/video/upload_video/': 'upload_video',
  '/api/douyin/v1/video/upload_image/': 'upload_image',
  '/api/douyin/v1/video/create_video/': 'create_video',
  '/api/douyin/v1/video/create_image_text/': 'create_image_text',
};

export class FakeDouyin {
  readonly clientKey = 'fake-client-key';
  readonly calls: FakeCall[] = [];
  /** Access tokens the fake accepts, with the open_id each belongs to. */
  readonly accessTokens = new Map<string, string>();
  /** Refresh tokens the fake accepts, with the open_id each belongs to. */
  readonly refreshTokens = new Map<string, string>();
  /** Users who withdrew the app's authorization: every token of theirs is refused (2190002), even fresh ones. */
  readonly revokedOpenIds = new Set<string>();
  /** Bytes served at `/media/<name>`. */
  readonly media = new Map<string, Buffer>();
  private readonly failures = new Map<FakeEndpoint, FakeFailure[]>();
  private sequence = 0;

  private readonly server: Server = createServer((req, res) => {
    this.handle(req, res).catch((error: Error) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(error.message);
    });
  });
  private baseUrl = '';

  private constructor() {}

  /** Listens on a free port of 127.0.0.1. */
  static async start(): Promise<FakeDouyin> {
    const fake = new FakeDouyin();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** Base URL to configure as DOUYIN_OPEN_API_BASE_URL. */
  get url(): string {
    return this.baseUrl;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  /** The next `times` calls of `endpoint` fail this way. */
  failNext(endpoint: FakeEndpoint, failure: FakeFailure, times = 1): void {
    this.failures.set(endpoint, [
      ...(this.failures.get(endpoint) ?? []),
      ...Array.from({ length: times }, () => failure),
    ]);
  }

  callsTo(endpoint: FakeCall['endpoint']): FakeCall[] {
    return this.calls.filter((call) => call.endpoint === endpoint);
  }

  reset(): void {
    this.calls.length = 0;
    this.failures.clear();
    this.revokedOpenIds.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const raw = await readBody(req);
    if (req.method === 'GET' && url.pathname.startsWith('/media/')) {
      this.calls.push({ endpoint: 'media', openId: null, accessToken: null, body: {}, file: null });
      const bytes = this.media.get(url.pathname.slice('/media/'.length));
      if (!bytes) return void res.writeHead(404).end();
      return void res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length })
        .end(bytes);
    }
    const endpoint = ENDPOINTS[url.pathname];
    if (!endpoint || req.method !== 'POST') return void res.writeHead(404).end();

    const contentType = req.headers['content-type'] ?? '';
    const call: FakeCall = {
      endpoint,
      openId: url.searchParams.get('open_id'),
      accessToken: (req.headers['access-token'] as string | undefined) ?? null,
      body: {},
      file: null,
    };
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      call.body = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    } else if (contentType.startsWith('application/json')) {
      call.body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } else if (contentType.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      for (const [field, value] of form.entries()) {
        if (typeof value !== 'string') call.file = { field, name: value.name, size: value.size };
      }
    }
    this.calls.push(call);

    const failure = this.failures.get(endpoint)?.shift();
    if (failure?.hangMs) await new Promise((resolve) => setTimeout(resolve, failure.hangMs));
    else if (failure) return this.fail(res, failure);
    if (endpoint === 'refresh_token') return this.refresh(res, call);

    const owner = call.accessToken ? this.accessTokens.get(call.accessToken) : undefined;
    if (!owner || owner !== call.openId || this.revokedOpenIds.has(owner)) {
      return this.fail(res, { errorCode: 2190002, description: 'access_token无效' });
    }
    switch (endpoint) {
      case 'upload_video':
        if (call.file?.field !== 'video')
          return this.fail(res, { errorCode: 2100005, description: '参数不合法' });
        return this.ok(res, { video: { video_id: `v.fake${++this.sequence}`, width: 720, height: 1280 } });
      case 'upload_image':
        if (call.file?.field !== 'image')
          return this.fail(res, { errorCode: 2100005, description: '参数不合法' });
        return this.ok(res, { image: { image_id: `img.fake${++this.sequence}`, width: 1080, height: 1440 } });
      case 'create_video':
        if (typeof call.body.video_id !== 'string')
          return this.fail(res, { errorCode: 2100005, description: '参数不合法' });
        return this.ok(res, { item_id: `@item.video${++this.sequence}`, video_id: call.body.video_id });
      case 'create_image_text':
        if (!Array.isArray(call.body.image_list))
          return this.fail(res, { errorCode: 2100005, description: '参数不合法' });
        return this.ok(res, { item_id: `@item.images${++this.sequence}` });
    }
  }

  /** Douyin keeps the refresh token on a refresh and hands out a fresh access token. */
  private refresh(res: ServerResponse, call: FakeCall): void {
    const { client_key: clientKey, grant_type: grantType, refresh_token: refreshToken } = call.body;
    if (clientKey !== this.clientKey || grantType !== 'refresh_token') {
      return this.fail(res, { errorCode: 10002, description: '参数错误' });
    }
    const openId = this.refreshTokens.get(String(refreshToken));
    if (!openId) return this.fail(res, { errorCode: 10010, description: 'refresh_token过期' });
    const accessToken = `act.fake-refreshed-${++this.sequence}`;
    this.accessTokens.set(accessToken, openId);
    // The documented sample sends the numbers as strings.
    this.ok(res, {
      access_token: accessToken,
      expires_in: '1296000',
      open_id: openId,
      refresh_token: refreshToken,
      refresh_expires_in: '2592000',
      scope: 'video.create.bind',
    });
  }

  private ok(res: ServerResponse, data: Record<string, unknown>): void {
    const body = {
      data: { ...data, error_code: 0, description: '' },
      extra: { ...extra(), error_code: 0 },
      message: 'success',
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private fail(res: ServerResponse, failure: FakeFailure): void {
    const status = failure.status ?? 200;
    if (!failure.errorCode)
      return void res.writeHead(status, { 'content-type': 'text/plain' }).end('upstream error');
    const description = failure.description ?? 'error';
    const body = {
      data: { error_code: failure.errorCode, description },
      extra: { ...extra(), error_code: failure.errorCode, description },
    };
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

const extra = () => ({
  description: '',
  sub_error_code: 0,
  sub_description: '',
  logid: `fake${Date.now()}`,
  now: Date.now(),
});

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
