import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { Page, PageOf, PageQueryDto } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import {
  CarePlanDto,
  CareTaskDto,
  CompleteCareTaskDto,
  CreateCarePlanDto,
  ListCareTasksQueryDto,
  UpdateCarePlanDto,
} from './care.dto';
import { CareService } from './care.service';

const CarePlanPageDto = PageOf(CarePlanDto);
const CareTaskPageDto = PageOf(CareTaskDto);
const ORG_WIDE =
  'Care plans are organization-wide: changing one needs `customers:manage` with organization scope.';

@ApiTags('customers')
@Controller('orgs/:orgId/customer-care-plans')
export class CarePlansController {
  constructor(private readonly care: CareService) {}

  @Get()
  @Authorize({ permission: 'customers:read' })
  @ApiOperation({ operationId: 'listCustomerCarePlans', summary: 'Regular-contact plans, one per tier' })
  @ApiOkResponse({ type: CarePlanPageDto })
  @ApiProblems(400)
  listCustomerCarePlans(@Scope() scope: DataScope, @Query() query: PageQueryDto): Promise<Page<CarePlanDto>> {
    return this.care.listPlans(scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'customers:manage' })
  @ApiOperation({
    operationId: 'createCustomerCarePlan',
    summary: 'Contact the customers of a tier every N days',
    description: `${ORG_WIDE} A second plan for one tier is 409 \`duplicate\`.`,
  })
  @ApiCreatedResponse({ type: CarePlanDto })
  @ApiProblems(400, 409)
  createCustomerCarePlan(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: CreateCarePlanDto,
  ): Promise<Versioned<CarePlanDto>> {
    return this.care.createPlan(actor, scope, dto);
  }

  @Get(':planId')
  @Authorize({ permission: 'customers:read' })
  @ApiOperation({ operationId: 'getCustomerCarePlan', summary: 'One care plan, with its ETag' })
  @ApiOkWithEtag(CarePlanDto)
  @ApiProblems(400)
  getCustomerCarePlan(
    @Scope() scope: DataScope,
    @Param('planId', uuidParam('planId')) planId: string,
  ): Promise<Versioned<CarePlanDto>> {
    return this.care.getPlan(scope, planId);
  }

  @Patch(':planId')
  @Authorize({ permission: 'customers:manage' })
  @ApiOperation({
    operationId: 'updateCustomerCarePlan',
    summary: 'Change the interval or pause a plan',
    description: ORG_WIDE,
  })
  @ApiIfMatch()
  @ApiOkWithEtag(CarePlanDto)
  @ApiProblems(400, 412)
  updateCustomerCarePlan(
    @Scope() scope: DataScope,
    @Param('planId', uuidParam('planId')) planId: string,
    @Body() dto: UpdateCarePlanDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<CarePlanDto>> {
    return this.care.updatePlan(scope, planId, dto, ifMatch);
  }

  @Delete(':planId')
  @HttpCode(204)
  @Authorize({ permission: 'customers:manage' })
  @ApiOperation({
    operationId: 'deleteCustomerCarePlan',
    summary: 'Delete a plan and its tasks',
    description: ORG_WIDE,
  })
  @ApiProblems(400)
  async deleteCustomerCarePlan(
    @Scope() scope: DataScope,
    @Param('planId', uuidParam('planId')) planId: string,
  ): Promise<void> {
    await this.care.removePlan(scope, planId);
  }
}

@ApiTags('customers')
@Controller('orgs/:orgId/customer-care-tasks')
export class CareTasksController {
  constructor(private readonly care: CareService) {}

  @Get()
  @Authorize({ permission: 'customers:read' })
  @ApiOperation({
    operationId: 'listCustomerCareTasks',
    summary: 'Care tasks within your scope, soonest due first; `ownerId=me` for your own',
    description: 'Filters: ownerId (`me` or a member), status (default `open`).',
  })
  @ApiOkResponse({ type: CareTaskPageDto })
  @ApiProblems(400)
  listCustomerCareTasks(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Query() query: ListCareTasksQueryDto,
  ): Promise<Page<CareTaskDto>> {
    return this.care.listTasks(actor, scope, query);
  }

  @Post(':taskId/complete')
  @HttpCode(200)
  @Authorize({ permission: 'customers:manage' })
  @ApiOperation({
    operationId: 'completeCustomerCareTask',
    summary: "Record the contact with a note; it becomes the customer's last contact",
    description: 'A task that is not open is 409 `invalid_state`.',
  })
  @ApiOkResponse({ type: CareTaskDto })
  @ApiProblems(400, 409)
  completeCustomerCareTask(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('taskId', uuidParam('taskId')) taskId: string,
    @Body() dto: CompleteCareTaskDto,
  ): Promise<CareTaskDto> {
    return this.care.completeTask(actor, scope, taskId, dto);
  }
}
