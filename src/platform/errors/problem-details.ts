import { ERROR_TITLE, ErrorCode } from './error-code';
import { FieldError } from './domain.error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
const TYPE_BASE = 'https://daiyun.dev/problems/';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function problem(
  status: number,
  code: ErrorCode | string,
  detail: string,
  extras: Partial<ProblemDocument> = {},
): ProblemDocument {
  return {
    type: `${TYPE_BASE}${code.replace(/_/g, '-')}`,
    title: ERROR_TITLE[status] ?? 'Error',
    status,
    detail,
    code,
    ...extras,
  };
}
