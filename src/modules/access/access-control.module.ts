import { Module } from '@nestjs/common';
import { GrantsController } from './grants.controller';
import { GrantsService } from './grants.service';
import { PermissionsController } from './permissions.controller';
import { RolesController } from './roles.controller';
import { RolesService } from './roles.service';

/** The management side of access: the permission catalogue, roles and grants (the guard lives in AccessModule). */
@Module({
  controllers: [PermissionsController, RolesController, GrantsController],
  providers: [RolesService, GrantsService],
  exports: [RolesService, GrantsService],
})
export class AccessControlModule {}
