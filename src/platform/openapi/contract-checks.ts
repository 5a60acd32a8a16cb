/**
 * Checks on the generated document that generated clients depend on. Pure functions over the JSON, so
 * the generator script, the unit test and the committed file are all judged by the same rules.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface PathParameter {
  name: string;
  in: 'path';
  required: true;
  description?: string;
  schema: { type: 'string'; format?: string };
}

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `/orgs/{orgId}/units/{unitId}` → `['orgId', 'unitId']`. */
export function templateParameters(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
}

/** Every operation of the document with its path and method. */
export function* operations(
  document: Json,
): Generator<{ path: string; method: string; operation: JsonObject }> {
  if (!isObject(document) || !isObject(document.paths)) return;
  for (const [path, item] of Object.entries(document.paths)) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (isObject(operation)) yield { path, method, operation };
    }
  }
}

function resolvePointer(document: Json, ref: string): Json | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: Json | undefined = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
    else return undefined;
  }
  return node;
}

function* refs(node: Json, at: string): Generator<{ ref: string; at: string }> {
  if (Array.isArray(node)) {
    for (const [index, child] of node.entries()) yield* refs(child, `${at}/${index}`);
  } else if (isObject(node)) {
    for (const [key, child] of Object.entries(node)) {
      if (key === '$ref' && typeof child === 'string') yield { ref: child, at };
      else yield* refs(child, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    }
  }
}

/**
 * What makes the document unusable for a generated client: a path template parameter an operation does
 * not declare (the client could not fill it and would send a literal `{orgId}`), a declared path
 * parameter that is not in the template or not required, a `$ref` that points nowhere (tools stop on
 * it), and an operation without a tag described in the global `tags` (generators group operations by
 * tag). Empty when the document is sound.
 */
export function contractProblems(document: Json): string[] {
  const problems: string[] = [];
  const globalTags = new Set(
    (isObject(document) && Array.isArray(document.tags) ? document.tags : []).map((tag) =>
      isObject(tag) ? tag.name : undefined,
    ),
  );
  for (const { path, method, operation } of operations(document)) {
    const where = `${method.toUpperCase()} ${path}`;
    const tags = Array.isArray(operation.tags) ? operation.tags : [];
    if (tags.length === 0) problems.push(`${where}: no tag (its module)`);
    for (const tag of tags) {
      if (!globalTags.has(tag)) problems.push(`${where}: tag "${String(tag)}" is not in the global tags`);
    }
    const pathItem = isObject(document) && isObject(document.paths) ? document.paths[path] : undefined;
    const declared = [
      ...(isObject(pathItem) && Array.isArray(pathItem.parameters) ? pathItem.parameters : []),
      ...(Array.isArray(operation.parameters) ? operation.parameters : []),
    ]
      .map((parameter) =>
        isObject(parameter) && typeof parameter.$ref === 'string'
          ? resolvePointer(document, parameter.$ref)
          : parameter,
      )
      .filter((parameter): parameter is JsonObject => isObject(parameter) && parameter.in === 'path');
    const template = templateParameters(path);
    for (const name of template) {
      const parameter = declared.find((p) => p.name === name);
      if (!parameter) problems.push(`${where}: path parameter "${name}" is not declared`);
      else if (parameter.required !== true)
        problems.push(`${where}: path parameter "${name}" is not required`);
    }
    for (const parameter of declared) {
      if (typeof parameter.name === 'string' && !template.includes(parameter.name)) {
        problems.push(`${where}: path parameter "${parameter.name}" is not in the path`);
      }
    }
  }
  for (const { ref, at } of refs(document, '#')) {
    if (resolvePointer(document, ref) === undefined) problems.push(`${at}: $ref ${ref} does not resolve`);
  }
  return problems;
}
