import { SetMetadata } from '@nestjs/common';

export const NOT_AN_OPERATION = 'daiyun:not-an-operation';

/**
 * Marks a POST route that changes nothing (it uses POST only to carry a large body, like the live
 * moderation check an editor calls as the user types), so the operation log is not flooded with reads.
 */
export const NotAnOperation = () => SetMetadata(NOT_AN_OPERATION, true);
