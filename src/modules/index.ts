import { AccessModule } from './access/access.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuthModule } from './auth/auth.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { ProfilesModule } from './profiles/profiles.module';

/** Every feature module, in one list the app module imports. */
export const FEATURE_MODULES = [AccessModule, AuthModule, OrganizationsModule, ApiKeysModule, ProfilesModule];
