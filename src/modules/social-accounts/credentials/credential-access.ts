import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DataScope } from '../../access/data-scope';
import { AccountAccess, SocialAccountAccess } from '../account-access.service';

/**
 * Who may store, replace, remove or reveal an account's credentials: the account access rule with the
 * `manage` authorization scope. The owning brand keeps that control while the account is frozen or
 * suspended (changing the password of a frozen account is exactly what a brand may need to do); an
 * agency may only touch the credentials of an account it may operate (409 otherwise).
 */
@Injectable()
export class CredentialAccess {
  constructor(private readonly accounts: SocialAccountAccess) {}

  require(scope: DataScope, accountId: string, manager: EntityManager): Promise<AccountAccess> {
    return this.accounts.require(scope, accountId, { authorization: 'manage', operable: 'agency' }, manager);
  }

  /** Reading the metadata needs any access to the account, whatever its state. */
  read(scope: DataScope, accountId: string, manager?: EntityManager): Promise<AccountAccess> {
    return this.accounts.require(scope, accountId, { operable: false }, manager);
  }
}
