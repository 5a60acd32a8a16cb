import { ScopedGrant } from './actor';
import { areaCovers, canDelegate } from './delegation';

const grant = (overrides: Partial<ScopedGrant>): ScopedGrant => ({
  grantId: 'g',
  permission: 'members:read',
  effect: 'allow',
  scope: 'subtree',
  unitId: 'u',
  unitPath: 'root.a',
  roleId: null,
  roleName: null,
  ...overrides,
});

describe('delegation', () => {
  it('lets a subtree holder delegate inside the subtree but not above or beside it', () => {
    const holder = [grant({})];
    expect(canDelegate(holder, 'members:read', { scope: 'unit', unitPath: 'root.a.team' })).toBe(true);
    expect(canDelegate(holder, 'members:read', { scope: 'subtree', unitPath: 'root.a' })).toBe(true);
    expect(canDelegate(holder, 'members:read', { scope: 'subtree', unitPath: 'root' })).toBe(false);
    expect(canDelegate(holder, 'members:read', { scope: 'unit', unitPath: 'root.b' })).toBe(false);
    expect(canDelegate(holder, 'members:read', { scope: 'org', unitPath: 'root' })).toBe(false);
    expect(canDelegate(holder, 'members:manage', { scope: 'unit', unitPath: 'root.a' })).toBe(false);
  });

  it('does not let a path prefix pass for an ancestor', () => {
    expect(areaCovers({ scope: 'subtree', unitPath: 'root.a' }, { scope: 'unit', unitPath: 'root.ab' })).toBe(
      false,
    );
  });

  it('refuses when a deny touches any part of the target area', () => {
    const holder = [
      grant({ scope: 'org', unitPath: 'root' }),
      grant({ effect: 'deny', unitPath: 'root.a.x', scope: 'unit' }),
    ];
    expect(canDelegate(holder, 'members:read', { scope: 'subtree', unitPath: 'root.a' })).toBe(false);
    expect(canDelegate(holder, 'members:read', { scope: 'unit', unitPath: 'root.b' })).toBe(true);
  });

  it('never lets a self scope be delegated', () => {
    expect(
      canDelegate([grant({ scope: 'self' })], 'members:read', { scope: 'self', unitPath: 'root.a' }),
    ).toBe(false);
  });
});
