export const JOBS_OPTIONS = Symbol('JOBS_OPTIONS');

export interface JobsOptions {
  enabled: boolean;
  connectionString: string;
  shutdownTimeoutMs: number;
}
