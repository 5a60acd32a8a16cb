import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import {
  ContactPointInputDto,
  CreateCustomerDto,
  CustomerDto,
  CustomerHistoryEntryDto,
  CustomerHistoryQueryDto,
  GetCustomerQueryDto,
  ListCustomersQueryDto,
  MergeCustomerDto,
  UpdateCustomerDto,
} from './customer.dto';
import { CustomersService } from './customers.service';

const CustomerPageDto = PageOf(CustomerDto);
const CustomerHistoryPageDto = PageOf(CustomerHistoryEntryDto);

@ApiTags('customers')
@Controller('orgs/:orgId/customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Get()
  @Authorize({ permission: 'customers:read', pureRead: true })
  @ApiOperation({
    operationId: 'listCustomers',
    summary:
      'Customer profiles within your scope (their unit, or the ones you own), phones and emails masked',
    description:
      'Filters: tier, tag, segment (its rule, evaluated now), ownerId (`me` or a member), unitId, q (part of the ' +
      'name or company, or an exact phone, email, Douyin or WeChat id). Sort: createdAt, displayName. ' +
      '`unmasked=true` shows phones and emails in clear for the customers also within your `customers:read-pii` ' +
      "scope (each item's `masked` says which; 403 `permission_denied` when you hold it nowhere); each customer " +
      'shown in clear is recorded in the operation log (`listCustomersUnmasked`).',
  })
  @ApiOkResponse({ type: CustomerPageDto })
  @ApiProblems(400, 403, 422)
  listCustomers(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Query() query: ListCustomersQueryDto,
  ): Promise<Page<CustomerDto>> {
    const { unmasked, ...filters } = query;
    return this.customers.list(actor, scope, filters, { unmasked: unmasked === true });
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'customers:manage' })
  @Idempotent()
  @ApiOperation({
    operationId: 'createCustomer',
    summary: 'Create a customer profile with its contact points',
    description:
      'Unit defaults to your primary unit, owner to you. A phone or email another live customer already has is ' +
      '409 `duplicate`.',
  })
  @ApiCreatedResponse({ type: CustomerDto })
  @ApiProblems(400, 409, 422)
  createCustomer(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: CreateCustomerDto,
  ): Promise<Versioned<CustomerDto>> {
    return this.customers.create(actor, scope, dto);
  }

  @Get(':customerId')
  @Authorize({ permission: 'customers:read' })
  @ApiOperation({
    operationId: 'getCustomer',
    summary: 'One profile; a merged profile answers with the one it was merged into',
    description:
      '`unmasked=true` shows phones and emails in clear: it needs `customers:read-pii` over the customer (403 ' +
      '`permission_denied` otherwise) and is recorded in the operation log as `readCustomerUnmasked`.',
  })
  @ApiOkWithEtag(CustomerDto)
  @ApiProblems(400)
  getCustomer(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('customerId', uuidParam('customerId')) customerId: string,
    @Query() query: GetCustomerQueryDto,
  ): Promise<Versioned<CustomerDto>> {
    return this.customers.get(actor, scope, customerId, { unmasked: query.unmasked === true });
  }

  @Patch(':customerId')
  @Authorize({ permission: 'customers:manage' })
  @ApiOperation({
    operationId: 'updateCustomer',
    summary: 'Edit a profile: classification, owner, unit, consent, lifetime value',
    description: 'A merged profile is 409 `customer_merged` with `mergedInto`.',
  })
  @ApiIfMatch()
  @ApiOkWithEtag(CustomerDto)
  @ApiProblems(400, 409, 412, 422)
  updateCustomer(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('customerId', uuidParam('customerId')) customerId: string,
    @Body() dto: UpdateCustomerDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<CustomerDto>> {
    return this.customers.update(actor, scope, customerId, dto, ifMatch);
  }

  @Delete(':customerId')
  @HttpCode(204)
  @Authorize({ permission: 'customers:manage' })
  @ApiOperation({
    operationId: 'archiveCustomer',
    summary: 'Archive a profile: it leaves lists, its contact points are freed, its history stays',
  })
  @ApiProblems(400, 409)
  async archiveCustomer(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('customerId', uuidParam('customerId')) customerId: string,
  ): Promise<void> {
    await this.customers.archive(actor, scope, customerId);
  }

  @Post(':customerId/contact-points')
  @HttpCode(201)
  @Authorize({ permission: 'customers:manage' })
  @ApiOperation({
    operationId: 'addCustomerContactPoint',
    summary: 'Add a phone, email, Douyin or WeChat id; `primary` makes it the primary one of its kind',
  })
  @ApiCreatedResponse({ type: CustomerDto })
  @ApiProblems(400, 409)
  addCustomerContactPoint(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('customerId', uuidParam('customerId')) customerId: string,
    @Body() dto: ContactPointInputDto,
  ): Promise<Versioned<CustomerDto>> {
    return this.customers.addContactPoint(actor, scope, customerId, dto);
  }

  @Delete(':customerId/contact-points/:contactPointId')
  @HttpCode(204)
  @Authorize({ permission: 'customers:manage' })
  @ApiOperation({
    operationId: 'removeCustomerContactPoint',
    summary: 'Remove a contact point; the oldest remaining one of its kind becomes primary',
  })
  @ApiProblems(400, 409)
  async removeCustomerContactPoint(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('customerId', uuidParam('customerId')) customerId: string,
    @Param('contactPointId', uuidParam('contactPointId')) contactPointId: string,
  ): Promise<void> {
    await this.customers.removeContactPoint(actor, scope, customerId, contactPointId);
  }

  @Post(':customerId/merge')
  @HttpCode(200)
  @Authorize({ permission: 'customers:manage' })
  @ApiOperation({
    operationId: 'mergeCustomer',
    summary: 'Merge another profile (sourceId) into this one',
    description:
      'Contact points, tags and history move here, lifetime values add up, and the source answers as this ' +
      'profile afterwards. Both must be in your scope. Merging a profile into itself is 400; a source already ' +
      'merged is 409 `customer_merged`.',
  })
  @ApiOkResponse({ type: CustomerDto })
  @ApiProblems(400, 409, 422)
  mergeCustomer(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('customerId', uuidParam('customerId')) customerId: string,
    @Body() dto: MergeCustomerDto,
  ): Promise<Versioned<CustomerDto>> {
    return this.customers.merge(actor, scope, customerId, dto.sourceId);
  }

  @Get(':customerId/history')
  @Authorize({ permission: 'customers:read' })
  @ApiOperation({
    operationId: 'listCustomerHistory',
    summary: "The profile's history, newest first, including profiles merged into it",
    description:
      'Entries of the customers module now; other modules (tickets, surveys) add theirs as sources.',
  })
  @ApiOkResponse({ type: CustomerHistoryPageDto })
  @ApiProblems(400)
  listCustomerHistory(
    @Scope() scope: DataScope,
    @Param('customerId', uuidParam('customerId')) customerId: string,
    @Query() query: CustomerHistoryQueryDto,
  ): Promise<Page<CustomerHistoryEntryDto>> {
    return this.customers.historyOf(scope, customerId, query);
  }
}
