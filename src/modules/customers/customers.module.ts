import { Module } from '@nestjs/common';
import { CustomerDirectory } from './customer-directory';

/**
 * Customer profiles (CRM). Other modules use CustomerDirectory (find or create a profile, summaries)
 * and never read the customers tables themselves.
 */
@Module({
  providers: [CustomerDirectory],
  exports: [CustomerDirectory],
})
export class CustomersModule {}
