/** The platform organization and its root unit, created by the first migration. */
export const PLATFORM_ORG_ID = '00000000-0000-4000-8000-000000000001';
export const PLATFORM_ROOT_UNIT_ID = '00000000-0000-4000-8000-000000000002';
