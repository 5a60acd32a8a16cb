import { DataScopeKind, ScopedGrant } from './actor';
import { PermissionCode } from './permission-catalogue';

/** The area a grant reaches: a scope anchored at a unit (by its ltree path). */
export interface GrantArea {
  scope: DataScopeKind;
  unitPath: string;
}

const within = (path: string, ancestor: string) => path === ancestor || path.startsWith(`${ancestor}.`);

/** Does `holder` reach every row `target` would reach? */
export function areaCovers(holder: GrantArea, target: GrantArea): boolean {
  switch (holder.scope) {
    case 'org':
      return true;
    case 'subtree':
      return target.scope !== 'org' && within(target.unitPath, holder.unitPath);
    case 'unit':
      return (target.scope === 'unit' || target.scope === 'self') && target.unitPath === holder.unitPath;
    case 'self':
      // Own rows only: nothing another person could be given.
      return false;
  }
}

/** Could any row fall in both areas? Used so a deny anywhere inside a target area blocks delegating it. */
export function areasOverlap(a: GrantArea, b: GrantArea): boolean {
  if (a.scope === 'org' || b.scope === 'org') return true;
  if (a.scope === 'subtree' && b.scope === 'subtree') {
    return within(a.unitPath, b.unitPath) || within(b.unitPath, a.unitPath);
  }
  if (a.scope === 'subtree') return within(b.unitPath, a.unitPath);
  if (b.scope === 'subtree') return within(a.unitPath, b.unitPath);
  return a.unitPath === b.unitPath;
}

/**
 * "Nobody grants more than they hold": the granter must hold `permission` over the whole target area
 * through one allow, and no deny of theirs may touch any part of it.
 */
export function canDelegate(
  granter: readonly ScopedGrant[],
  permission: PermissionCode,
  target: GrantArea,
): boolean {
  const relevant = granter.filter((g) => g.permission === permission);
  const denied = relevant.some((g) => g.effect === 'deny' && g.scope !== 'self' && areasOverlap(g, target));
  if (denied) return false;
  return relevant.some((g) => g.effect === 'allow' && areaCovers(g, target));
}
