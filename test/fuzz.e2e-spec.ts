import { makeUser, signIn, TestUser } from './support/factories';
import {
  listOperations,
  loadSpec,
  OperationSpec,
  resolveSchema,
  SpecValidator,
} from './support/openapi-operations';
import { insertMember, insertOrg, PLATFORM_ORG } from './support/org-fixtures';
import { FuzzRequest, fuzzRequests, PLACEHOLDER_ID } from './support/request-fuzz';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Every operation of the committed spec, sent the malformed requests its own schema suggests (see
 * request-fuzz.ts). For each response: never a 5xx, every 4xx a problem document with a code, and no
 * 2xx for a request the schema (judged by ajv) or the API's contract refuses.
 */
describe('fuzz: every operation under malformed input', () => {
  let t: TestApp;
  const spec = loadSpec();
  const operations = listOperations(spec);
  const strict = new SpecValidator(spec);
  const coercing = new SpecValidator(spec, { coerceTypes: true });
  let brandId: string;
  let brandOwner: TestUser;
  let platformOwner: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const brand = await insertOrg(t, { kind: 'brand' });
    brandId = brand.id;
    brandOwner = await makeUser(t);
    await insertMember(t, brand, brandOwner.id, { grants: [{ role: 'owner' }] });
    platformOwner = await makeUser(t);
    await insertMember(t, PLATFORM_ORG, platformOwner.id, { grants: [{ role: 'owner' }] });
  });
  afterAll(() => t.close());

  /** A fresh session per operation, so a request that signs out (valid or not) cannot spoil the next. */
  async function authFor(operation: OperationSpec): Promise<Record<string, string>> {
    if (operation.permission === 'public') return {};
    const user = operation.permission.startsWith('platform:') ? platformOwner : brandOwner;
    return (await signIn(t, user.id)).auth;
  }

  function breaksSchema(operation: OperationSpec, request: FuzzRequest): boolean {
    const { target } = request;
    if (target.in === 'body') {
      if (!operation.jsonBody || !request.body || !('json' in request.body)) return false;
      return !strict.isValid(`${operation.operationId}:body`, operation.jsonBody.schema, request.body.json);
    }
    const parameter = operation.parameters.find((p) => p.in === target.in && p.name === target.name)!;
    const value =
      target.in === 'query'
        ? request.query[target.name]
        : decodeURIComponentSafe(request.pathValues[target.name]);
    if (value === undefined) return false;
    return !coercing.isValid(
      `${operation.operationId}:${target.in}:${target.name}`,
      resolveSchema(spec, parameter.schema),
      value,
    );
  }

  it('answers every malformed request with a 4xx problem document, never a 5xx or a 2xx', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const operation of operations) {
      const auth = await authFor(operation);
      const validPathValues = Object.fromEntries(
        operation.parameters
          .filter((p) => p.in === 'path')
          .map((p) => [p.name, p.name === 'orgId' ? brandId : PLACEHOLDER_ID]),
      );
      for (const request of fuzzRequests(spec, operation, validPathValues)) {
        const url = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => request.pathValues[name]);
        const query = new URLSearchParams(request.query).toString();
        let call = t
          .http()
          [operation.method](query ? `${url}?${query}` : url)
          .set(auth);
        if (request.body) {
          const [contentType, raw] =
            'json' in request.body
              ? ['application/json', JSON.stringify(request.body.json)]
              : [request.body.contentType, request.body.raw];
          call = call.set('Content-Type', contentType).send(raw);
        }
        const res = await call;
        sent += 1;
        const where = `${operation.operationId} [${request.label}] → ${res.status}`;
        if (res.status >= 500) failures.push(`${where} ${res.body?.detail ?? ''}`);
        if (res.status >= 400 && !/application\/problem\+json/.test(String(res.headers['content-type']))) {
          failures.push(`${where} not problem+json: ${String(res.headers['content-type'])}`);
        } else if (res.status >= 400 && typeof res.body?.code !== 'string') {
          failures.push(`${where} problem without a code`);
        }
        if (res.status < 400 && (request.refusedByContract || breaksSchema(operation, request))) {
          failures.push(
            `${where} accepted a request that breaks the ${request.refusedByContract ? 'contract' : 'schema'}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
    // The spec drives the count; this only guards against the generator silently sending nothing.
    expect(sent).toBeGreaterThan(operations.length * 4);
  }, 300_000);
});

function decodeURIComponentSafe(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
