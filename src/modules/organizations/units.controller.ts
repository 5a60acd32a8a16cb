import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { ApiProblems } from '../../platform/http/problem.dto';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { uuidParam } from '../../platform/http/validation';
import { DataScope } from '../access/data-scope';
import { Authorize, Scope } from '../access/authorize.decorator';
import {
  CreateUnitDto,
  DeleteUnitQueryDto,
  toUnitDto,
  UnitDto,
  UnitTreeDto,
  UpdateUnitDto,
} from './unit.dto';
import { UnitsService } from './units.service';

@ApiTags('organizations')
@Controller('orgs/:orgId/units')
export class UnitsController {
  constructor(private readonly units: UnitsService) {}

  @Get()
  @Authorize({ permission: 'units:read', pureRead: true })
  @ApiOperation({ operationId: 'listUnits', summary: 'The unit tree (the part within the caller’s scope)' })
  listUnits(@Scope() scope: DataScope): Promise<UnitTreeDto> {
    return this.units.listUnits(scope);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'units:manage' })
  @Idempotent()
  @ApiOperation({ operationId: 'createUnit', summary: 'Create a unit under a parent unit' })
  @ApiProblems(400, 409, 422)
  createUnit(@Scope() scope: DataScope, @Body() dto: CreateUnitDto): Promise<UnitDto> {
    return this.units.createUnit(scope, dto);
  }

  @Get(':unitId')
  @Authorize({ permission: 'units:read' })
  @ApiOperation({ operationId: 'getUnit', summary: 'One unit, with its ETag for a later If-Match' })
  @ApiOkWithEtag(UnitDto)
  @ApiProblems(400)
  async getUnit(
    @Scope() scope: DataScope,
    @Param('unitId', uuidParam('unitId')) unitId: string,
  ): Promise<Versioned<UnitDto>> {
    const unit = await this.units.getUnit(scope, unitId);
    return new Versioned(toUnitDto(unit), unit.version);
  }

  @Patch(':unitId')
  @Authorize({ permission: 'units:manage' })
  @ApiOperation({
    operationId: 'updateUnit',
    summary: 'Rename a unit or move it (with its subtree) under another parent',
    description: 'Moving a unit under itself or one of its descendants is refused (422 `unit_cycle`).',
  })
  @ApiIfMatch()
  @ApiOkWithEtag(UnitDto)
  @ApiProblems(400, 409, 412, 422)
  async updateUnit(
    @Scope() scope: DataScope,
    @Param('unitId', uuidParam('unitId')) unitId: string,
    @Body() dto: UpdateUnitDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<UnitDto>> {
    const unit = await this.units.updateUnit(scope, unitId, dto, ifMatch);
    return new Versioned(toUnitDto(unit), unit.version);
  }

  @Delete(':unitId')
  @HttpCode(204)
  @Authorize({ permission: 'units:manage' })
  @ApiOperation({
    operationId: 'deleteUnit',
    summary: 'Delete a unit and its sub-units',
    description:
      'Refused (409 `reference_in_use`) while the unit or its sub-units have members or data, unless ' +
      '`targetUnitId` names where to move them. Grants anchored in deleted units end with them.',
  })
  @ApiProblems(400, 409, 422)
  async deleteUnit(
    @Scope() scope: DataScope,
    @Param('unitId', uuidParam('unitId')) unitId: string,
    @Query() query: DeleteUnitQueryDto,
  ): Promise<void> {
    await this.units.deleteUnit(scope, unitId, query);
  }
}
