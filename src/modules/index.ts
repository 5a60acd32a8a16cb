import { AccessModule } from './access/access.module';

/** Every feature module, in one list the app module imports. */
export const FEATURE_MODULES = [AccessModule];
