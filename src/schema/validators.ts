/**
 * Schema checks at run time, through validators precompiled by ajv's standalone mode
 * (src/generated/validators.js, from schemas/*.json by scripts/gen-validators.mjs):
 * compiling the schemas on every run would cost hundreds of milliseconds.
 */
import { validateArgoWorkflow, validateIr, validateKfpComponent } from '../generated/validators.js';

type Validate = typeof validateIr;

function errorsOf(validate: Validate, value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

export function argoSchemaErrors(value: unknown): string[] {
  return errorsOf(validateArgoWorkflow, value);
}

export function componentSchemaErrors(value: unknown): string[] {
  return errorsOf(validateKfpComponent, value);
}

export function irSchemaErrors(value: unknown): string[] {
  return errorsOf(validateIr, value);
}

/** Errors with their JSON pointer, to locate them in the source document. */
export function componentSchemaErrorsDetailed(value: unknown): { path: string; message: string; key?: string }[] {
  if (validateKfpComponent(value)) return [];
  return (validateKfpComponent.errors ?? []).map((e) => {
    const key = e.keyword === 'additionalProperties' ? String(e.params['additionalProperty']) : undefined;
    return { path: e.instancePath, message: key ? `has an unknown key \`${key}\`` : (e.message ?? e.keyword), ...(key ? { key } : {}) };
  });
}
