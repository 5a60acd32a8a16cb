import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from './authorize.decorator';
import { isPlatformPermission, PERMISSION_CODES, PERMISSIONS } from './permission-catalogue';
import { PermissionCatalogueDto } from './role.dto';

const CATALOGUE: PermissionCatalogueDto = {
  items: PERMISSION_CODES.map((code) => ({
    code,
    module: PERMISSIONS[code].module,
    description: PERMISSIONS[code].description,
    platform: isPlatformPermission(code),
  })),
  nextCursor: null,
};

@ApiTags('access')
@Controller('permissions')
export class PermissionsController {
  /** The catalogue is product documentation, not tenant data, so it is public. */
  @Get()
  @Public()
  @ApiOperation({
    operationId: 'listPermissions',
    summary: 'Every permission code with its module and meaning',
  })
  listPermissions(): PermissionCatalogueDto {
    return CATALOGUE;
  }
}
