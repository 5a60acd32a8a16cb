import { DomainError, ErrorCode, FieldError } from '../../../platform/errors';
import { StepFilter } from './behaviour-queries';
import { FunnelStepDto, MAX_STEP_PROPERTIES } from './funnel.dto';

const PROPERTY_KEY = /^[^\s]{1,100}$/;

/**
 * The rules of a funnel's steps that the DTO's decorators cannot say: each step names a `type` or a
 * custom event `name` (a name belongs only to custom events), and its `properties` are at most 10
 * top-level keys with string, number or boolean values. Answers the field errors, `field` prefixed
 * like the validation pipe's (`steps.1.name`).
 */
export function funnelStepErrors(steps: readonly FunnelStepDto[], root = 'steps'): FieldError[] {
  const errors: FieldError[] = [];
  steps.forEach((step, index) => {
    const at = `${root}.${index}`;
    if (step.type === undefined && step.name === undefined) {
      errors.push({ field: `${at}.type`, message: 'a step needs a type or a custom event name' });
    }
    if (step.name !== undefined && step.type !== undefined && step.type !== 'custom') {
      errors.push({ field: `${at}.name`, message: 'only custom events have a name' });
    }
    if (step.properties !== undefined) {
      const entries = Object.entries(step.properties);
      if (entries.length > MAX_STEP_PROPERTIES) {
        errors.push({ field: `${at}.properties`, message: `at most ${MAX_STEP_PROPERTIES} keys` });
      }
      for (const [key, value] of entries) {
        if (!PROPERTY_KEY.test(key)) {
          errors.push({ field: `${at}.properties`, message: 'keys are 1–100 characters without spaces' });
        } else if (!['string', 'number', 'boolean'].includes(typeof value)) {
          errors.push({
            field: `${at}.properties.${key}`,
            message: 'must be a string, a number or a boolean',
          });
        } else if (typeof value === 'string' && value.length > 200) {
          errors.push({ field: `${at}.properties.${key}`, message: 'at most 200 characters' });
        }
      }
    }
  });
  return errors;
}

/** The steps as the query reads them, or 400 naming every bad field. */
export function parseFunnelSteps(steps: readonly FunnelStepDto[]): StepFilter[] {
  const errors = funnelStepErrors(steps);
  if (errors.length > 0) {
    throw new DomainError(ErrorCode.ValidationFailed, 'The request is invalid', { errors });
  }
  return steps.map((step) => ({
    type: step.type,
    name: step.name,
    path: step.path,
    properties: step.properties,
  }));
}

/** What a step is called in the answer: its `label`, else its name or type, with its path. */
export function stepLabel(step: FunnelStepDto): string {
  if (step.label) return step.label;
  const what = step.name !== undefined ? `custom:${step.name}` : (step.type ?? 'event');
  return step.path !== undefined ? `${what} ${step.path}` : what;
}
