import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../../platform/errors';
import { CustomerDirectory } from '../customers/customer-directory';
import { ContactDto } from './ticket.dto';

/**
 * A ticket's customer: an existing profile of the organization (422 when it is not one), or found or
 * created on the fly from the contact details, through the CRM's directory and inside the ticket's
 * transaction, so a rolled-back ticket leaves no orphan profile.
 */
@Injectable()
export class TicketCustomers {
  constructor(private readonly directory: CustomerDirectory) {}

  async resolve(
    manager: EntityManager,
    orgId: string,
    createdBy: string | null,
    customerId: string | undefined,
    contact: ContactDto | undefined,
  ): Promise<string | null> {
    if (customerId) {
      const found = await this.directory.find(manager, orgId, customerId);
      if (!found) {
        throw new DomainError(ErrorCode.ReferenceNotFound, 'No such customer in this organization', {
          errors: [{ field: 'customerId', message: 'customer not found' }],
        });
      }
      return found.id;
    }
    if (!contact || !hasContactPoint(contact)) return null;
    const resolved = await this.directory.resolve(
      manager,
      orgId,
      {
        name: contact.name,
        company: contact.company,
        phone: contact.phone,
        email: contact.email,
        douyinId: contact.douyinId,
        wechatId: contact.wechatId,
      },
      createdBy,
    );
    return resolved.id;
  }
}

const hasContactPoint = (c: ContactDto) => Boolean(c.phone || c.email || c.douyinId || c.wechatId || c.name);
