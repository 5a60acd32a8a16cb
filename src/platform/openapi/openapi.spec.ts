import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Body, Controller, Get, INestApplication, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ApiExtension, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsString, Matches, MaxLength } from 'class-validator';
import { ApiProblems } from '../http/problem.dto';
import { uuidParam } from '../http/validation';
import { allowNullInNullableEnums } from './conventions';
import { contractProblems, Json } from './contract-checks';
import { buildOpenApiDocument } from './openapi';

const MAX_LABELS = 3;

class CreateThingDto {
  // Bounds through a constant and per item: the swagger plugin would document neither.
  @ApiProperty({ type: String, isArray: true })
  @ArrayMaxSize(MAX_LABELS)
  @IsString({ each: true })
  @MaxLength(12, { each: true })
  labels: string[];

  @ApiProperty()
  @Matches(/^\d{6}$/)
  code: string;
}

// A module as a new feature might write it: one handler reads no path parameter at all (a guard would),
// one validates its id with the UUID pipe, one documents a parameter by hand.
@ApiTags('content')
@Controller('orgs/:orgId/things')
class ThingsController {
  @Post()
  createThing(@Body() body: CreateThingDto): CreateThingDto {
    return body;
  }

  @Get('public')
  @ApiExtension('x-permission', 'public')
  publicThings(): string[] {
    return [];
  }

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

type Operation = {
  parameters: { name: string; in: string; required?: boolean; schema: Json }[];
  responses: Record<string, { headers?: Record<string, Json> }>;
  security?: Json;
};

describe('buildOpenApiDocument', () => {
  let app: INestApplication;
  let document: Json;
  let paths: Record<string, { get: Operation; post: Operation }>;

  beforeAll(async () => {
    app = await NestFactory.create(ThingsModule, new FastifyAdapter(), { preview: true, logger: false });
    document = buildOpenApiDocument(app) as unknown as Json;
    paths = (document as unknown as { paths: Record<string, { get: Operation; post: Operation }> }).paths;
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
      {
        name: 'thingId',
        in: 'path',
        required: true,
        schema: { type: 'string', format: 'uuid', maxLength: 36 },
      },
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

  it('states request bounds the validators enforce, whatever the swagger plugin copied', () => {
    const schema = (document as unknown as { components: { schemas: Record<string, Json> } }).components
      .schemas.CreateThingDto as { properties: Record<string, Record<string, Json>> };
    expect(schema.properties.labels).toMatchObject({
      maxItems: MAX_LABELS,
      items: { type: 'string', maxLength: 12 },
    });
    expect(schema.properties.code).toMatchObject({ pattern: '^\\d{6}$', maxLength: 6 });
  });

  it('gives every operation 500 and 429 (with Retry-After), and 400 where there is input', () => {
    const create = paths['/orgs/{orgId}/things'].post.responses;
    expect(Object.keys(create)).toEqual(expect.arrayContaining(['400', '429', '500']));
    expect(create['429'].headers).toHaveProperty('Retry-After');
    expect(create['201'].headers).toEqual(
      expect.objectContaining({
        'X-RateLimit-Limit': expect.anything(),
        'Access-Control-Allow-Origin': expect.anything(),
      }),
    );
  });

  it('says a public operation takes no credentials', () => {
    expect(paths['/orgs/{orgId}/things/public'].get.security).toEqual([]);
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
      tags: [{ name: 'x' }],
      paths: { '/orgs/{orgId}/keys/{keyId}': { get: { tags: ['x'], parameters: [ok], responses: {} } } },
    };
    expect(contractProblems(doc)).toEqual([
      'GET /orgs/{orgId}/keys/{keyId}: path parameter "keyId" is not declared',
    ]);
  });

  it('accepts a parameter declared on the path item', () => {
    const doc: Json = {
      tags: [{ name: 'x' }],
      paths: { '/orgs/{orgId}': { parameters: [ok], get: { tags: ['x'], responses: {} } } },
    };
    expect(contractProblems(doc)).toEqual([]);
  });

  it('names a $ref that points nowhere', () => {
    const doc: Json = {
      tags: [{ name: 'x' }],
      components: { schemas: { Page: { type: 'object' } } },
      paths: {
        '/x': {
          get: {
            tags: ['x'],
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

  it('names an operation whose tag is not described in the global tags', () => {
    const doc: Json = { tags: [], paths: { '/x': { get: { tags: ['x'], responses: {} } } } };
    expect(contractProblems(doc)).toEqual(['GET /x: tag "x" is not in the global tags']);
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

describe('nullable enums', () => {
  it('list null on the nullable property only, leaving a shared enum constant as it was', () => {
    const actions = ['block', 'review', 'flag'];
    const schema = {
      properties: { pinyinAction: { nullable: true, enum: actions }, action: { enum: actions } },
    };
    allowNullInNullableEnums(schema);
    expect(schema.properties.pinyinAction.enum).toEqual(['block', 'review', 'flag', null]);
    expect(schema.properties.action.enum).toEqual(['block', 'review', 'flag']);
    expect(actions).toEqual(['block', 'review', 'flag']);
  });
});
