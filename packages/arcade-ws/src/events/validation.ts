import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { PayloadIssue } from '../protocol/frames';
import { payloadIssues } from './wire';

/** What validating a payload gave: the schema's output, or why it refused the payload. */
export type Validated = { readonly value: unknown } | { readonly issues: PayloadIssue[] };

/** Runs a Standard Schema (zod, valibot, arktype...) on a payload; its output replaces the payload. */
export async function validatePayload(schema: StandardSchemaV1, payload: unknown): Promise<Validated> {
  const result = await schema['~standard'].validate(payload);
  if (result.issues) return { issues: payloadIssues(result.issues) };
  return { value: result.value };
}

/** Whether `value` looks like a Standard Schema (checked when a route is defined). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as Partial<StandardSchemaV1>)['~standard'];
  return typeof props === 'object' && props !== null && typeof props.validate === 'function';
}
