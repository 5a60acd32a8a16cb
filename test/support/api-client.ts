import { createDaiyunClient, DaiyunClient } from '../../clients/typescript';
import { TestApp } from './test-app';

/**
 * The generated TypeScript client (clients/typescript, the one partners use) wired into the test app:
 * its fetch is answered by Fastify's inject, so requests take the full path (hooks, guards, pipes,
 * filters) without a listening socket, and every response is checked against the spec like any other.
 */
export function apiClient(
  t: TestApp,
  credentials: { accessToken?: string; apiKey?: string } = {},
): DaiyunClient {
  const fastify = t.app.getHttpAdapter().getInstance();
  const fetch = async (input: Request): Promise<Response> => {
    const url = new URL(input.url);
    const headers: Record<string, string> = {};
    input.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const body = input.body ? Buffer.from(await input.arrayBuffer()) : undefined;
    const injected = await fastify.inject({
      method: input.method as 'GET',
      url: url.pathname + url.search,
      headers,
      ...(body ? { payload: body } : {}),
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(injected.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, String(one));
    }
    // A 204/304 has no body by definition; Response refuses one.
    const noBody = injected.statusCode === 204 || injected.statusCode === 304;
    return new Response(noBody ? null : injected.rawPayload, {
      status: injected.statusCode,
      headers: responseHeaders,
    });
  };
  return createDaiyunClient({ baseUrl: 'http://daiyun.test', fetch, ...credentials });
}

/**
 * The body of a client call that must have answered `status`; anything else fails the test with the
 * status and problem it got. Narrows `data` for the rest of the test.
 */
export function expectData<T>(result: { data?: T; error?: unknown; response: Response }, status: number): T {
  if (result.response.status !== status || result.data === undefined) {
    throw new Error(`expected ${status}, got ${result.response.status}: ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

/** The problem+json body of a client call that must have failed with `status`. */
export function expectProblem<E>(
  result: { data?: unknown; error?: E; response: Response },
  status: number,
): E {
  if (result.response.status !== status || result.error === undefined) {
    throw new Error(`expected ${status}, got ${result.response.status}: ${JSON.stringify(result.data)}`);
  }
  return result.error;
}
