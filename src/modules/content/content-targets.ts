import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { SocialAccountAccess } from '../social-accounts/account-access.service';
import { ContentTargetDto } from './content.dto';

/**
 * Where content may go. The platform's own channels are open to every author; a social account needs
 * the author's `content:publish` permission with a scope covering the account (or its assignment) and,
 * for an agency, an active `publish` authorization: the one access rule, asked with that permission.
 */
@Injectable()
export class ContentTargets {
  constructor(private readonly access: SocialAccountAccess) {}

  async assertTargetable(manager: EntityManager, actor: Actor, orgId: string, target: ContentTargetDto) {
    if (target.kind === 'platform') return;
    const publishScope = new DataScope(orgId, 'content:publish', actor.userId, actor.grants);
    if (publishScope.isEmpty) {
      throw new DomainError(
        ErrorCode.PermissionDenied,
        'Publishing to a social account needs content:publish',
        {
          extensions: { permission: 'content:publish' },
        },
      );
    }
    try {
      await this.access.require(publishScope, target.accountId!, { authorization: 'publish' }, manager);
    } catch (error) {
      // The account is named in the body: an account the caller cannot see is a bad reference (422),
      // worded exactly like one that does not exist.
      if (error instanceof DomainError && error.code === ErrorCode.NotFound) {
        throw new DomainError(ErrorCode.ReferenceNotFound, 'No such social account for your organization', {
          errors: [{ field: 'target.accountId', message: 'social account not found' }],
        });
      }
      throw error;
    }
  }
}
