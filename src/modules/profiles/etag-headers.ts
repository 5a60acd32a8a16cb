import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiOkResponse } from '@nestjs/swagger';

const ETAG_HEADER = {
  ETag: { description: 'Version of the resource; send it back as If-Match', schema: { type: 'string' } },
};

/** Documents a 200 answer that carries an ETag. */
export const ApiOkWithEtag = (type: new (...args: never[]) => unknown) =>
  applyDecorators(ApiOkResponse({ type, headers: ETAG_HEADER }));

/** Documents the optional If-Match of an update (412 when stale). */
export const ApiIfMatch = () =>
  applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: 'ETag from the last read; a stale one answers 412 precondition_failed',
    }),
  );
