import { AccessModule } from './access/access.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { OrganizationsModule } from './organizations/organizations.module';

/** Every feature module, in one list the app module imports. */
export const FEATURE_MODULES = [AccessModule, OrganizationsModule, ApiKeysModule];
