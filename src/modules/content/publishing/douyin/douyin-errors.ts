import { PublishError } from '../publish-connector';

/**
 * What a Douyin failure means for the publish job:
 * - `token`: the access token is expired or invalid: refresh it and repeat the call once;
 * - `reauthorize`: the refresh token is dead: only the account's owner authorizing the app again helps;
 * - `retry_later`: the platform is busy or failing; the same call may pass later;
 * - `rejected`: the platform refuses the request as it stands (bad parameters, missing capability…).
 */
export type DouyinFailureKind = 'token' | 'reauthorize' | 'retry_later' | 'rejected';

/**
 * Error codes of the Douyin Open Platform (`data.error_code`, repeated in `extra.error_code`), from its
 * documentation (developer.open-douyin.com → OpenAPI → 状态码 / each endpoint's 错误码 table).
 * Codes not listed are treated as `rejected`: repeating a request the platform refused for a reason we
 * do not know would most likely be refused again, and a person should look at the message.
 */
const KNOWN_CODES: Record<number, DouyinFailureKind> = {
  // "access_token 过期" on the OAuth endpoints (refresh-access-token: "error_code=10008 或 2190008").
  10008: 'token',
  // "refresh_token 过期" and "超过刷新次数限制": the user must authorize again.
  10010: 'reauthorize',
  10020: 'reauthorize',
  // "系统繁忙，此时请开发者稍候再试".
  2100004: 'retry_later',
  // "参数不合法".
  2100005: 'rejected',
  // "access_token 无效" and "access_token 过期" on the OpenAPI endpoints.
  2190002: 'token',
  2190008: 'token',
};

export function classifyDouyinCode(code: number): DouyinFailureKind {
  return KNOWN_CODES[code] ?? 'rejected';
}

/** A failure of one Douyin call, as a PublishError the job understands, plus what the connector needs. */
export class DouyinApiError extends PublishError {
  constructor(
    message: string,
    readonly kind: DouyinFailureKind,
    code: string,
  ) {
    super(message, kind === 'retry_later', code);
    this.name = 'DouyinApiError';
  }
}

/** The Douyin code and description of a JSON answer; code 0 (or none) means success. */
export function douyinErrorOf(payload: unknown): { code: number; description: string } | null {
  const body = (payload ?? {}) as { data?: Record<string, unknown>; extra?: Record<string, unknown> };
  const codes = [body.data?.error_code, body.extra?.error_code, body.extra?.sub_error_code];
  const code = codes.map((c) => Number(c ?? 0)).find((c) => c !== 0 && !Number.isNaN(c));
  if (code === undefined) return null;
  const texts = [body.data?.description, body.extra?.description, body.extra?.sub_description];
  const description =
    texts.find((t): t is string => typeof t === 'string' && t.length > 0) ?? 'no description';
  return { code, description };
}
