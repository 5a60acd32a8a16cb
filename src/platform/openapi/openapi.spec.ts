import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, INestApplication, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ApiParam } from '@nestjs/swagger';
import { ApiProblems } from '../http/problem.dto';
import { uuidParam } from '../http/validation';
import { contractProblems, Json } from './contract-checks';
import { buildOpenApiDocument } from './openapi';

// A module as a new feature might write it: one handler reads no path parameter at all (a guard would),
// one validates its id with the UUID pipe, one documents a parameter by hand.
@Controller('orgs/:orgId/things')
class ThingsController {
  @Get()
  @ApiProblems(404)
  listThings(): string[] {
    return [];
  }

  @Get(':thingId')
  getThing(@Param('thingId', uuidParam('thingId')) thingId: string): string {
    return thingId;
  }

  @Get(':thingId/parts/:part')
  @ApiParam({ name: 'part', type: String, description: 'Part name' })
  getPart(@Param('part') part: string): string {
    return part;
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

type Operation = { parameters: { name: string; in: string; required?: boolean; schema: Json }[] };

describe('buildOpenApiDocument', () => {
  let app: INestApplication;
  let document: Json;
  let paths: Record<string, { get: Operation }>;

  beforeAll(async () => {
    app = await NestFactory.create(ThingsModule, new FastifyAdapter(), { preview: true, logger: false });
    document = buildOpenApiDocument(app) as unknown as Json;
    paths = (document as unknown as { paths: Record<string, { get: Operation }> }).paths;
  });
  afterAll(() => app.close());

  it('declares a path parameter the handler never reads', () => {
    expect(paths['/orgs/{orgId}/things'].get.parameters).toEqual([
      { name: 'orgId', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });

  it('says format uuid where the UUID pipe validates the parameter', () => {
    expect(paths['/orgs/{orgId}/things/{thingId}'].get.parameters).toEqual([
      { name: 'orgId', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'thingId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
    ]);
  });

  it('keeps what @ApiParam says and lists path parameters in template order', () => {
    expect(paths['/orgs/{orgId}/things/{thingId}/parts/{part}'].get.parameters.map((p) => p.name)).toEqual([
      'orgId',
      'thingId',
      'part',
    ]);
    expect(paths['/orgs/{orgId}/things/{thingId}/parts/{part}'].get.parameters[2]).toEqual({
      name: 'part',
      in: 'path',
      required: true,
      description: 'Part name',
      schema: { type: 'string' },
    });
  });

  it('makes the problem+json schema a component even where no handler returns it', () => {
    expect(contractProblems(document)).toEqual([]);
    const schemas = (
      document as unknown as { components: { schemas: Record<string, { required: string[] }> } }
    ).components.schemas;
    expect(schemas.ProblemDto.required).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'code', 'requestId']),
    );
  });
});

describe('contractProblems', () => {
  const ok = { name: 'orgId', in: 'path', required: true, schema: { type: 'string' } };

  it('names an operation that leaves out a path parameter', () => {
    const doc: Json = {
      paths: { '/orgs/{orgId}/keys/{keyId}': { get: { parameters: [ok], responses: {} } } },
    };
    expect(contractProblems(doc)).toEqual([
      'GET /orgs/{orgId}/keys/{keyId}: path parameter "keyId" is not declared',
    ]);
  });

  it('accepts a parameter declared on the path item', () => {
    const doc: Json = { paths: { '/orgs/{orgId}': { parameters: [ok], get: { responses: {} } } } };
    expect(contractProblems(doc)).toEqual([]);
  });

  it('names a $ref that points nowhere', () => {
    const doc: Json = {
      components: { schemas: { Page: { type: 'object' } } },
      paths: {
        '/x': {
          get: {
            responses: {
              200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Page' } } } },
              404: {
                content: { 'application/json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
              },
            },
          },
        },
      },
    };
    expect(contractProblems(doc)).toEqual([
      '#/paths/~1x/get/responses/404/content/application~1json/schema: $ref #/components/schemas/ProblemDto does not resolve',
    ]);
  });
});

describe('the committed openapi/openapi.json', () => {
  // CI keeps it equal to what the compiled generator writes (npm run openapi:check), so judging the file
  // judges every route of the app, with the schemas the swagger CLI plugin adds.
  const committed = JSON.parse(
    readFileSync(join(__dirname, '../../../openapi/openapi.json'), 'utf8'),
  ) as Json;

  it('declares every path parameter of every operation, and every $ref resolves', () => {
    expect(contractProblems(committed)).toEqual([]);
  });
});
