import { Environment } from './config.schema';

/** The validated configuration, typed. Inject this rather than reading process.env. */
export class AppConfig {
  constructor(readonly env: Readonly<Environment>) {}
}
