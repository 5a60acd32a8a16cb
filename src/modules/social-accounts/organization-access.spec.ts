import { AccountFacts, AuthorizationFact } from './account-facts';
import { judgeOrganizationAccess } from './organization-access';

const BRAND = 'b0000000-0000-4000-8000-000000000001';
const AGENCY = 'a0000000-0000-4000-8000-000000000002';
const NOW = new Date('2030-03-04T10:00:00Z');
const DAY = 86_400_000;

const authorization = (overrides: Partial<AuthorizationFact> = {}): AuthorizationFact => ({
  status: 'active',
  scopes: ['publish'],
  validFrom: new Date(NOW.getTime() - DAY),
  validUntil: new Date(NOW.getTime() + DAY),
  ...overrides,
});

/** `assigned: false` stands for an agency without any assignment of the account. */
const facts = (overrides: Partial<AccountFacts> & { assigned?: boolean } = {}): AccountFacts => {
  const { assigned = true, ...rest } = overrides;
  return {
    accountId: 'acc',
    brandOrgId: BRAND,
    unitId: 'unit',
    unitPath: 'u1',
    platform: 'douyin',
    handle: 'brand_official',
    status: 'active',
    suspendedUntil: null,
    archived: false,
    authorizations: [authorization()],
    assignments: assigned ? [{ unitPath: 'u2', memberId: null }] : [],
    viewerRootPath: 'u2root',
    ...rest,
  };
};

const codeOf = (f: AccountFacts, orgId = AGENCY) => {
  const result = judgeOrganizationAccess(f, orgId, 'publish', NOW);
  return result.allowed ? 'eligible' : result.code;
};

describe('organization access (the account rule for jobs)', () => {
  it('lets the owning brand publish while the account is active, whatever authorizations exist', () => {
    expect(codeOf(facts({ authorizations: [], assigned: false }), BRAND)).toBe('eligible');
    expect(codeOf(facts({ status: 'frozen' }), BRAND)).toBe('account_unavailable');
  });

  it('lets an agency publish with an active, current publish authorization and an assignment', () => {
    expect(codeOf(facts())).toBe('eligible');
    // Any one of several authorizations may carry the publish scope.
    expect(
      codeOf(facts({ authorizations: [authorization({ scopes: ['analytics'] }), authorization()] })),
    ).toBe('eligible');
  });

  it('names why an agency may not publish', () => {
    expect(codeOf(facts({ authorizations: [] }))).toBe('not_authorized');
    expect(codeOf(facts({ authorizations: [authorization({ status: 'revoked' })] }))).toBe(
      'authorization_revoked',
    );
    expect(codeOf(facts({ authorizations: [authorization({ status: 'expired' })] }))).toBe(
      'authorization_expired',
    );
    expect(codeOf(facts({ authorizations: [authorization({ validUntil: NOW })] }))).toBe(
      'authorization_expired',
    );
    expect(codeOf(facts({ authorizations: [authorization({ scopes: ['analytics', 'ads'] })] }))).toBe(
      'authorization_scope_missing',
    );
    expect(codeOf(facts({ authorizations: [authorization({ status: 'offered' })] }))).toBe('not_authorized');
    expect(
      codeOf(facts({ authorizations: [authorization({ validFrom: new Date(NOW.getTime() + 1) })] })),
    ).toBe('not_authorized');
    expect(codeOf(facts({ assigned: false }))).toBe('account_not_assigned');
    expect(codeOf(facts({ archived: true }))).toBe('account_archived');
  });

  it('refuses frozen and suspended accounts, until a suspension with an end is over', () => {
    expect(codeOf(facts({ status: 'frozen' }))).toBe('account_unavailable');
    expect(codeOf(facts({ status: 'suspended' }))).toBe('account_unavailable');
    expect(codeOf(facts({ status: 'suspended', suspendedUntil: new Date(NOW.getTime() + 1000) }))).toBe(
      'account_unavailable',
    );
    expect(codeOf(facts({ status: 'suspended', suspendedUntil: NOW }))).toBe('eligible');
  });

  it('explains the refusal with the account handle', () => {
    const result = judgeOrganizationAccess(facts({ status: 'frozen' }), AGENCY, 'publish', NOW);
    expect(result).toMatchObject({ allowed: false, reason: 'The account @brand_official is frozen' });
  });
});
