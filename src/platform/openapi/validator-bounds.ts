import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { VALIDATOR_MAX_LENGTH } from '../../common/validation/bounds';
import { Json } from './contract-checks';
import { patternMaxLength } from './pattern-length';
import { DtoClass, RouteFacts } from './route-facts';

/*
 * Request limits in the document come from the validators that enforce them. The swagger CLI plugin copies
 * only validators called with literals (`@MaxLength(200)`, not `@ArrayMaxSize(MAX_ALLOW_PHRASES)`) and
 * ignores `{ each: true }` and custom validators, so a DTO could be bounded and still document nothing.
 * Reading class-validator's metadata closes that gap for every request DTO, present and future, and a
 * bound can never be documented without being enforced.
 */

type JsonObject = { [key: string]: Json };
const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

interface Bounds {
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
}

/** Custom validators that enforce a standard string format, documented as that `format`. */
const VALIDATOR_FORMAT: Record<string, string> = { isDateTime: 'date-time' };

function boundsOf(metas: ValidationMetadata[]): { value: Bounds; each: Bounds } {
  const value: Bounds = {};
  const each: Bounds = {};
  const lower = (bounds: Bounds, key: 'maxLength' | 'maxItems', n: unknown) => {
    if (typeof n === 'number' && Number.isFinite(n)) bounds[key] = Math.min(bounds[key] ?? Infinity, n);
  };
  let unique = false;
  let allowed: number | undefined;
  for (const meta of metas) {
    const target = meta.each ? each : value;
    if (meta.name === 'arrayUnique') unique = true;
    if (meta.name === 'isIn' && meta.each && Array.isArray(meta.constraints?.[0])) {
      allowed = (meta.constraints[0] as unknown[]).length;
    }
    const [first, second] = meta.constraints ?? [];
    switch (meta.name) {
      case 'maxLength':
        lower(target, 'maxLength', first);
        break;
      case 'isLength':
        lower(target, 'maxLength', second);
        break;
      case 'arrayMaxSize':
        lower(value, 'maxItems', first);
        break;
      case 'matches': {
        const regex =
          first instanceof RegExp ? first : typeof first === 'string' ? new RegExp(first) : undefined;
        if (!regex) break;
        lower(target, 'maxLength', patternMaxLength(regex.source));
        // A `u`-flag pattern (\p{…}) means something else to tools that compile it without the flag.
        if (!regex.flags.includes('u') && !regex.flags.includes('i')) target.pattern ??= regex.source;
        break;
      }
      default:
        if (meta.name && meta.name in VALIDATOR_MAX_LENGTH)
          lower(target, 'maxLength', VALIDATOR_MAX_LENGTH[meta.name]);
        if (meta.name && meta.name in VALIDATOR_FORMAT) target.format = VALIDATOR_FORMAT[meta.name];
    }
  }
  // Distinct values from a fixed set: never more items than the set has.
  if (unique && allowed !== undefined) lower(value, 'maxItems', allowed);
  return { value, each };
}

function validationsByProperty(type: DtoClass): Map<string, ValidationMetadata[]> {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const meta of getMetadataStorage().getTargetValidationMetadatas(type, '', true, false)) {
    byProperty.set(meta.propertyName, [...(byProperty.get(meta.propertyName) ?? []), meta]);
  }
  return byProperty;
}

/** Adds the bounds a schema does not state yet; an explicit `@ApiProperty` value always wins. */
function applyBounds(schema: Json | undefined, bounds: Bounds): void {
  if (!isObject(schema)) return;
  const target = schema;
  if (target.type === 'string' && target.enum === undefined) {
    if (bounds.format !== undefined) target.format ??= bounds.format;
    if (bounds.maxLength !== undefined) target.maxLength ??= bounds.maxLength;
    if (bounds.pattern !== undefined && target.format === undefined) target.pattern ??= bounds.pattern;
  }
  if (target.type === 'array' && bounds.maxItems !== undefined) target.maxItems ??= bounds.maxItems;
}

function applyToProperty(schema: Json | undefined, metas: ValidationMetadata[]): void {
  if (!isObject(schema)) return;
  const { value, each } = boundsOf(metas);
  applyBounds(schema, value);
  if (schema.type === 'array') applyBounds(schema.items, each);
}

/** The request DTO classes, with the classes nested in them (`@Type(() => AttachmentDto)`). */
function requestClasses(facts: Map<string, RouteFacts>): Map<string, DtoClass> {
  const byName = new Map<string, DtoClass>();
  const queue = [...facts.values()].flatMap((fact) => (fact.bodyType ? [fact.bodyType] : []));
  while (queue.length > 0) {
    const type = queue.pop()!;
    if (byName.has(type.name)) continue;
    byName.set(type.name, type);
    for (const property of validationsByProperty(type).keys()) {
      const nested = defaultMetadataStorage.findTypeMetadata(type, property)?.typeFunction();
      if (typeof nested === 'function' && nested !== Date) queue.push(nested as DtoClass);
    }
  }
  return byName;
}

export function applyValidatorBounds(document: Json, facts: Map<string, RouteFacts>): void {
  if (!isObject(document)) return;
  const schemas =
    isObject(document.components) && isObject(document.components.schemas) ? document.components.schemas : {};
  for (const [name, type] of requestClasses(facts)) {
    const schema = schemas[name];
    if (!isObject(schema) || !isObject(schema.properties)) continue;
    for (const [property, metas] of validationsByProperty(type))
      applyToProperty(schema.properties[property], metas);
  }

  // Query DTOs are flattened into parameters by the scanner.
  if (!isObject(document.paths)) return;
  for (const item of Object.values(document.paths)) {
    if (!isObject(item)) continue;
    for (const operation of Object.values(item)) {
      if (!isObject(operation) || typeof operation.operationId !== 'string') continue;
      const queryType = facts.get(operation.operationId)?.queryType;
      if (!queryType || !Array.isArray(operation.parameters)) continue;
      const validations = validationsByProperty(queryType);
      for (const parameter of operation.parameters) {
        if (!isObject(parameter) || parameter.in !== 'query' || typeof parameter.name !== 'string') continue;
        const metas = validations.get(parameter.name);
        if (metas) applyToProperty(parameter.schema, metas);
      }
    }
  }
}
