import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type Lookup = Storage['getTargetValidationMetadatas'];

let installed = false;

/**
 * class-validator resolves a class's rules on every `validate()` by scanning every decorated class of
 * the app for ancestors (typestack/class-validator#2686): with ~600 DTO classes that scan was the
 * largest single function in a list request's profile. The answer depends only on the arguments and
 * on what has been registered, so it is kept per (class, schema, always, strictGroups, groups) and all
 * of it is dropped whenever a rule is registered (classes are decorated at load, before requests; a
 * class made later, in a test say, only costs one rescan).
 */
export function cacheValidationMetadata(storage: Storage = getMetadataStorage()): void {
  if (installed) return;
  installed = true;
  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const register = storage.addValidationMetadata.bind(storage);
  let cache = new WeakMap<object, Map<string, ReturnType<Lookup>>>();

  storage.addValidationMetadata = (metadata) => {
    cache = new WeakMap();
    register(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0000') ?? ''}`;
    let forTarget = cache.get(target);
    if (!forTarget) cache.set(target, (forTarget = new Map()));
    let found = forTarget.get(key);
    if (!found) forTarget.set(key, (found = lookup(target, schema, always, strictGroups, groups)));
    return found;
  };
}
