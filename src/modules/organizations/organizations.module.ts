import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { AccessControlModule } from '../access/access-control.module';
import { InvitationsService } from './invitations.service';
import { MembersController, MyInvitationsController } from './members.controller';
import { MembersService } from './members.service';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsService } from './organizations.service';
import { UnitsController } from './units.controller';
import { UnitsService } from './units.service';

/** Organizations (tenants), their unit trees, members and invitations. */
@Module({
  imports: [AccessControlModule, ApiKeysModule],
  controllers: [OrganizationsController, UnitsController, MembersController, MyInvitationsController],
  providers: [OrganizationsService, UnitsService, MembersService, InvitationsService],
  exports: [OrganizationsService],
})
export class OrganizationsModule {}
