import 'reflect-metadata';
import { CallHandler, ExecutionContext, HttpException, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, Observable, of, throwError } from 'rxjs';
import { ACCESS_CONTEXT, AccessContext } from '../../modules/access/actor';
import { Authorize, Public, SignedIn } from '../../modules/access/authorize.decorator';
import { PLATFORM_ORG_ID } from '../../modules/access/platform-org';
import { DomainError, ErrorCode } from '../errors';
import { lastUuidParam, OperationLogInterceptor } from './operation-log.interceptor';
import { OperationLogEntry, OperationLogsService } from './operation-logs.service';

class Routes {
  @Authorize({ permission: 'roles:manage' })
  updateRole(): void {}

  @Authorize({ permission: 'platform:orgs:read' })
  getAnyOrganization(): void {}

  @Public()
  login(): void {}

  @SignedIn()
  listNotifications(): void {}
}

const ORG = '11111111-1111-4111-8111-111111111111';
const ROLE = '22222222-2222-4222-8222-222222222222';
const KEY = '33333333-3333-4333-8333-333333333333';
const USER = '44444444-4444-4444-8444-444444444444';

interface FakeRequest {
  method: string;
  url: string;
  routeOptions: { url: string };
  params: Record<string, string>;
  headers: Record<string, string>;
  ip: string;
  id: string;
  [ACCESS_CONTEXT]?: AccessContext;
}

function accessFor(actor: { userId?: string; apiKeyId?: string; orgId: string | null }): AccessContext {
  return {
    actor: {
      kind: actor.apiKeyId ? 'api_key' : 'user',
      userId: actor.userId ?? null,
      apiKeyId: actor.apiKeyId ?? null,
      sessionId: null,
      ip: '127.0.0.1',
      userAgent: null,
      requestId: 'req-1',
      orgId: actor.orgId,
      orgKind: null,
      grants: [],
    },
  };
}

function setup(recordImpl?: (entry: OperationLogEntry) => Promise<void>) {
  const entries: OperationLogEntry[] = [];
  const service = {
    record: jest.fn(async (entry: OperationLogEntry) => {
      entries.push(entry);
      if (recordImpl) await recordImpl(entry);
    }),
  };
  const interceptor = new OperationLogInterceptor(
    new Reflector(),
    service as unknown as OperationLogsService,
  );
  const run = (
    handler: keyof Routes,
    request: Partial<FakeRequest> & { method: string; routeOptions: { url: string } },
    outcome: Observable<unknown>,
    statusCode = 200,
  ) => {
    const full: FakeRequest = {
      url: request.routeOptions.url,
      params: {},
      headers: { 'user-agent': 'spec' },
      ip: '10.0.0.1',
      id: 'req-1',
      ...request,
    };
    const context = {
      getType: () => 'http',
      getHandler: () => Routes.prototype[handler],
      getClass: () => Routes,
      switchToHttp: () => ({ getRequest: () => full, getResponse: () => ({ statusCode }) }),
    } as unknown as ExecutionContext;
    const next: CallHandler = { handle: () => outcome };
    return lastValueFrom(interceptor.intercept(context, next), { defaultValue: undefined });
  };
  return { entries, service, run };
}

describe('OperationLogInterceptor', () => {
  // The interceptor logs failures to write the log; the tests provoke them on purpose.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  it('records a mutating org-scoped request by an API key, targeting the last UUID in the path', async () => {
    const { entries, run } = setup();
    const result = await run(
      'updateRole',
      {
        method: 'PATCH',
        routeOptions: { url: '/api/v1/orgs/:orgId/roles/:roleId' },
        url: `/api/v1/orgs/${ORG}/roles/${ROLE}?expand=1`,
        params: { orgId: ORG, roleId: ROLE },
        [ACCESS_CONTEXT]: accessFor({ apiKeyId: KEY, orgId: ORG }),
      },
      of({ id: ROLE }),
    );
    expect(result).toEqual({ id: ROLE });
    expect(entries).toEqual([
      {
        orgId: ORG,
        actorUserId: null,
        apiKeyId: KEY,
        action: 'updateRole',
        targetType: 'roleId',
        targetId: ROLE,
        method: 'PATCH',
        route: '/api/v1/orgs/:orgId/roles/:roleId',
        path: `/api/v1/orgs/${ORG}/roles/${ROLE}`,
        statusCode: 200,
        result: 'success',
        ip: '10.0.0.1',
        userAgent: 'spec',
        requestId: 'req-1',
      },
    ]);
  });

  it('does not record a read of an ordinary route', async () => {
    const { service, run } = setup();
    await run(
      'listNotifications',
      {
        method: 'GET',
        routeOptions: { url: '/api/v1/notifications' },
        [ACCESS_CONTEXT]: accessFor({ userId: USER, orgId: null }),
      },
      of([]),
    );
    expect(service.record).not.toHaveBeenCalled();
  });

  it('records every request to a platform route, reads included', async () => {
    const { entries, run } = setup();
    await run(
      'getAnyOrganization',
      {
        method: 'GET',
        routeOptions: { url: '/api/v1/platform/orgs/:orgId' },
        params: { orgId: ORG },
        [ACCESS_CONTEXT]: accessFor({ userId: USER, orgId: PLATFORM_ORG_ID }),
      },
      of({}),
    );
    expect(entries).toEqual([
      expect.objectContaining({
        orgId: PLATFORM_ORG_ID,
        actorUserId: USER,
        action: 'getAnyOrganization',
        targetType: 'orgId',
        targetId: ORG,
        method: 'GET',
        result: 'success',
      }),
    ]);
  });

  it('records a public mutating request with no actor', async () => {
    const { entries, run } = setup();
    await run('login', { method: 'POST', routeOptions: { url: '/api/v1/auth/login' } }, of({}), 201);
    expect(entries).toEqual([
      expect.objectContaining({
        actorUserId: null,
        apiKeyId: null,
        orgId: null,
        action: 'login',
        statusCode: 201,
      }),
    ]);
  });

  it.each([
    ['a DomainError', new DomainError(ErrorCode.InvalidCredentials, 'Wrong'), 401],
    ['an HttpException', new HttpException('Gone', 410), 410],
    ['anything else', new Error('boom'), 500],
  ])('records a failure with the status of %s and rethrows it', async (_, error, status) => {
    const { entries, run } = setup();
    await expect(
      run(
        'login',
        { method: 'POST', routeOptions: { url: '/api/v1/auth/login' } },
        throwError(() => error),
      ),
    ).rejects.toBe(error);
    expect(entries).toEqual([expect.objectContaining({ statusCode: status, result: 'failure' })]);
  });

  it('never turns a success into a failure when the log cannot be written', async () => {
    const { service, run } = setup(() => Promise.reject(new Error('database down')));
    await expect(
      run('login', { method: 'POST', routeOptions: { url: '/api/v1/auth/login' } }, of('ok')),
    ).resolves.toBe('ok');
    expect(service.record).toHaveBeenCalledTimes(1);
  });

  it('keeps the original error when the log cannot be written either', async () => {
    const { run } = setup(() => Promise.reject(new Error('database down')));
    const error = DomainError.notFound('Role');
    await expect(
      run(
        'updateRole',
        { method: 'DELETE', routeOptions: { url: '/api/v1/orgs/:orgId/roles/:roleId' } },
        throwError(() => error),
      ),
    ).rejects.toBe(error);
  });

  it('ignores routes outside the API prefix', async () => {
    const { service, run } = setup();
    await run('login', { method: 'POST', routeOptions: { url: '/health/live' } }, of({}));
    expect(service.record).not.toHaveBeenCalled();
  });
});

describe('lastUuidParam', () => {
  it('takes the last parameter holding a UUID', () => {
    expect(lastUuidParam({ orgId: ORG, roleId: ROLE })).toEqual({ name: 'roleId', value: ROLE });
    expect(lastUuidParam({ orgId: ORG, code: 'abc' })).toEqual({ name: 'orgId', value: ORG });
    expect(lastUuidParam({ code: 'abc' })).toBeNull();
    expect(lastUuidParam(undefined)).toBeNull();
  });
});
