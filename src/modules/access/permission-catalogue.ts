/**
 * The one catalogue of permission codes. Endpoints declare one of these with `@Authorize`; roles bundle
 * them; the catalogue endpoint lists them. A code is `<area>:<action>`; `platform:*` codes act across
 * tenants and are only ever held in the platform organization.
 */
export const PERMISSIONS = {
  'org:read': {
    module: 'organizations',
    description: 'View the organization and its enterprise information',
  },
  'org:manage': {
    module: 'organizations',
    description: 'Rename the organization and edit its enterprise information',
  },
  'units:read': { module: 'organizations', description: 'View the unit tree' },
  'units:manage': { module: 'organizations', description: 'Create, rename, move and delete units' },
  'members:read': { module: 'organizations', description: 'List members and their units' },
  'members:manage': { module: 'organizations', description: 'Invite, move and remove members' },
  'roles:read': { module: 'access', description: 'View roles and their permissions' },
  'roles:manage': { module: 'access', description: 'Create, edit and delete custom roles' },
  'grants:read': { module: 'access', description: "View members' grants and effective permissions" },
  'grants:manage': { module: 'access', description: 'Grant and revoke roles and single permissions' },
  'api-keys:read': { module: 'access', description: 'List API keys for partner systems' },
  'api-keys:manage': { module: 'access', description: 'Create and revoke API keys' },
  'operation-logs:read': { module: 'audit', description: "Read the organization's operation log" },
  'social-accounts:read': {
    module: 'social-accounts',
    description: "View the organization's social accounts, or the authorized accounts assigned to it",
  },
  'social-accounts:manage': {
    module: 'social-accounts',
    description: 'Add, edit, freeze and archive the social accounts the organization owns',
  },
  'authorizations:read': {
    module: 'social-accounts',
    description: 'View authorizations granted to agencies or received from brands',
  },
  'authorizations:manage': {
    module: 'social-accounts',
    description: 'Offer and revoke authorizations (brand); accept or decline them (agency)',
  },
  'assignments:manage': {
    module: 'social-accounts',
    description: 'Assign authorized accounts to units and members of the agency',
  },
  'credentials:manage': {
    module: 'social-accounts',
    description: "Store and replace a social account's credentials",
  },
  'credentials:reveal': {
    module: 'social-accounts',
    description: "Reveal a social account's credentials once, with a stated reason",
  },
  'usage-records:read': {
    module: 'social-accounts',
    description: "Read, export and verify a social account's usage records",
  },
  'content:read': { module: 'content', description: "View the organization's content and its history" },
  'content:write': {
    module: 'content',
    description: 'Create, edit, submit and delete content (an author holds it with a self scope)',
  },
  'content:publish': {
    module: 'content',
    description: 'Target content at a social account and retry failed publishing',
  },
  'content:review': {
    module: 'content',
    description: "Claim and decide the organization's own review tasks",
  },
  'sensitive-words:read': {
    module: 'moderation',
    description: "View the organization's sensitive-word lexicon",
  },
  'sensitive-words:manage': {
    module: 'moderation',
    description: "Edit and import the organization's sensitive words and its moderation policy",
  },
  'analytics:read': {
    module: 'analytics',
    description: 'Read analytics reports of the accounts and units in the data scope',
  },
  'analytics:ingest': {
    module: 'analytics',
    description: 'Send tracking events and import history and platform metrics',
  },
  'analytics:manage': {
    module: 'analytics',
    description: 'Edit funnels, segments, optimization goals and the retention setting',
  },
  'tickets:read': {
    module: 'customer-service',
    description: 'View tickets, their messages and SLA events in the data scope',
  },
  'tickets:write': {
    module: 'customer-service',
    description: 'Open tickets, reply, add notes and move tickets through their states',
  },
  'tickets:assign': { module: 'customer-service', description: 'Assign tickets to members and unit queues' },
  'tickets:supervise': {
    module: 'customer-service',
    description: 'Receive escalations and breach warnings, reassign and escalate tickets of the scope',
  },
  'service:manage': {
    module: 'customer-service',
    description: 'Edit service calendars, SLA policies, queues and canned replies',
  },
  'customers:read': { module: 'customers', description: 'View customer profiles with personal data masked' },
  'customers:manage': {
    module: 'customers',
    description: 'Create, edit, classify and merge customer profiles and their care tasks',
  },
  'customers:read-pii': {
    module: 'customers',
    description: "Read customers' phones and emails unmasked (every such read is recorded)",
  },
  'campaigns:read': {
    module: 'campaigns',
    description: 'View marketing campaigns, their budgets, tasks, history and evaluations in the data scope',
  },
  'campaigns:manage': {
    module: 'campaigns',
    description: 'Create and edit campaigns, budgets, spend, tasks and move them through their lifecycle',
  },
  'campaigns:approve': {
    module: 'campaigns',
    description: 'Approve or reject campaigns, and sign off campaigns an agency runs for the brand',
  },
  'campaigns:approve-overrun': {
    module: 'campaigns',
    description: "Record spend past a phase's or a campaign's budget",
  },
  'email:manage': {
    module: 'email-marketing',
    description: 'Edit email templates and contact lists, import contacts',
  },
  'email:send': { module: 'email-marketing', description: 'Schedule, send and cancel email sends' },
  'ads:read': {
    module: 'advertising',
    description:
      'View ad accounts, campaigns, groups, creatives, their metrics and reports in the data scope',
  },
  'ads:manage': {
    module: 'advertising',
    description: 'Create and edit ad accounts, campaigns, groups and creatives, import ad metrics',
  },
  'ads:activate': {
    module: 'advertising',
    description: 'Start and pause delivery of ad campaigns, groups and creatives, apply recommendations',
  },
  'platform:verifications:read': {
    module: 'platform',
    description: 'List real-name and enterprise verifications',
  },
  'platform:verifications:decide': { module: 'platform', description: 'Approve or reject verifications' },
  'platform:orgs:read': { module: 'platform', description: 'View any organization' },
  'platform:content:read': { module: 'platform', description: "Find and read any organization's content" },
  'platform:content:review': { module: 'platform', description: 'Claim and decide platform review tasks' },
  'platform:content:edit': {
    module: 'platform',
    description: 'Editor powers on published content: correct, classify, sort, recommend, pin, feature',
  },
  'platform:content:remove': { module: 'platform', description: 'Remove published content with a reason' },
  'platform:content:restore': {
    module: 'platform',
    description: 'Decide requests to restore removed content',
  },
  'platform:ads:review': {
    module: 'platform',
    description: 'Claim and decide the manual review of ad creatives',
  },
  'platform:sensitive-words:manage': {
    module: 'platform',
    description: "Edit and import the platform's sensitive-word lexicon",
  },
  'platform:social-accounts:suspend': {
    module: 'platform',
    description: 'Suspend a social account for breaking platform rules, and lift the suspension',
  },
} as const satisfies Record<string, { module: string; description: string }>;

export type PermissionCode = keyof typeof PERMISSIONS;

export const PERMISSION_CODES = Object.keys(PERMISSIONS) as PermissionCode[];

export const isPermissionCode = (value: string): value is PermissionCode => value in PERMISSIONS;

export const isPlatformPermission = (code: PermissionCode) => code.startsWith('platform:');

export type OrganizationKind = 'platform' | 'agency' | 'brand';

export type SystemRoleKey =
  | 'owner'
  | 'admin'
  | 'operator'
  | 'reviewer'
  | 'analyst'
  | 'service_agent'
  | 'service_supervisor'
  | 'marketer'
  | 'viewer';

export interface SystemRoleDefinition {
  key: SystemRoleKey;
  name: string;
  description: string;
  permissions: readonly PermissionCode[];
}

const tenantCodes = PERMISSION_CODES.filter((code) => !isPlatformPermission(code));
const platformCodes = PERMISSION_CODES.filter(isPlatformPermission);
const readCodes: PermissionCode[] = [
  'org:read',
  'units:read',
  'members:read',
  'social-accounts:read',
  'content:read',
];

const TENANT_ROLES: SystemRoleDefinition[] = [
  { key: 'owner', name: 'Owner', description: 'Full control of the organization', permissions: tenantCodes },
  {
    key: 'admin',
    name: 'Administrator',
    description: 'Manages the organization, its people and access',
    permissions: tenantCodes,
  },
  {
    key: 'operator',
    name: 'Operator',
    description: 'Operates accounts and content day to day',
    permissions: [
      ...readCodes,
      'content:write',
      'content:publish',
      'sensitive-words:read',
      'analytics:read',
      'analytics:ingest',
    ],
  },
  {
    key: 'reviewer',
    name: 'Reviewer',
    description: 'Reviews content before it shows',
    permissions: [...readCodes, 'content:review', 'sensitive-words:read'],
  },
  {
    key: 'analyst',
    name: 'Analyst',
    description: 'Reads data and reports',
    permissions: [
      ...readCodes,
      'roles:read',
      'operation-logs:read',
      'authorizations:read',
      'usage-records:read',
      'analytics:read',
      'analytics:manage',
      'campaigns:read',
      'ads:read',
    ],
  },
  {
    key: 'service_agent',
    name: 'Service agent',
    description: 'Serves customers: answers and works tickets, keeps customer profiles',
    permissions: [...readCodes, 'tickets:read', 'tickets:write', 'customers:read', 'customers:manage'],
  },
  {
    key: 'service_supervisor',
    name: 'Service supervisor',
    description: 'Leads service agents: assigns, receives escalations, reads service reports',
    permissions: [
      ...readCodes,
      'tickets:read',
      'tickets:write',
      'tickets:assign',
      'tickets:supervise',
      'customers:read',
      'customers:manage',
      'customers:read-pii',
    ],
  },
  {
    key: 'marketer',
    name: 'Marketer',
    description: 'Plans and runs marketing campaigns and email sends',
    permissions: [
      ...readCodes,
      'campaigns:read',
      'campaigns:manage',
      'email:manage',
      'email:send',
      'analytics:read',
      'customers:read',
      'ads:read',
      'ads:manage',
    ],
  },
  { key: 'viewer', name: 'Viewer', description: 'Read-only access', permissions: readCodes },
];

/** System roles seeded per organization kind. They cannot be edited or deleted. */
export const SYSTEM_ROLES: Record<OrganizationKind, SystemRoleDefinition[]> = {
  agency: TENANT_ROLES,
  brand: TENANT_ROLES,
  platform: [
    {
      key: 'owner',
      name: 'Owner',
      description: 'Full control of the platform',
      permissions: [...tenantCodes, ...platformCodes],
    },
    {
      key: 'admin',
      name: 'Administrator',
      description: 'Runs the platform and its staff',
      permissions: [...tenantCodes, ...platformCodes],
    },
    {
      key: 'reviewer',
      name: 'Reviewer',
      description: 'Decides verifications and reviews',
      permissions: [
        'org:read',
        'units:read',
        'platform:verifications:read',
        'platform:verifications:decide',
        'platform:content:read',
        'platform:content:review',
        'platform:content:restore',
        'platform:ads:review',
      ],
    },
  ],
};

export function systemRolePermissions(kind: OrganizationKind, key: string): readonly PermissionCode[] {
  return SYSTEM_ROLES[kind].find((role) => role.key === key)?.permissions ?? [];
}

/** The codes a role grants: a system role's come from this catalogue, a custom role's are stored. */
export function rolePermissions(
  role: { systemKey: string | null; permissions: readonly string[] | null },
  kind: OrganizationKind,
): readonly PermissionCode[] {
  if (role.systemKey) return systemRolePermissions(kind, role.systemKey);
  return (role.permissions ?? []).filter(isPermissionCode);
}
