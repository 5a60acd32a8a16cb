import { buildOpenApiDocument } from '../src/platform/openapi/openapi';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Every route with the access it declares, as a reviewed table: a permission change to any endpoint
 * shows up as a diff of the snapshot. Routes without a declaration would be refused by the guard; this
 * test makes sure none ships that way.
 */
describe('route permissions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('declares access on every route', async () => {
    const document = buildOpenApiDocument(t.app);
    const table: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item as Record<string, { 'x-permission'?: string }>)) {
        table.push(
          `${method.toUpperCase().padEnd(6)} ${path} → ${operation['x-permission'] ?? 'UNDECLARED'}`,
        );
      }
    }
    table.sort();
    expect(table.filter((line) => line.endsWith('UNDECLARED'))).toEqual([]);
    expect(table.join('\n')).toMatchSnapshot();
  });
});
