/**
 * Parameter values as KFP v2 carries them: protobuf `Value`s (here plain JSON values), typed by
 * the spec's `ParameterType`. A value reaches a command line as text the way KFP's launcher
 * writes it (a string as it is, anything else as JSON); an output file is read back the way
 * its `metadata.TextToPbValue` reads it (Go's ParseInt, ParseFloat, ParseBool, or JSON).
 */

export type ParamValue = string | number | boolean | null | ParamValue[] | { [key: string]: ParamValue };

/** A value in a command line (`{{$.inputs.parameters['x']}}`). */
export function paramText(v: ParamValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Text (an output file, a `--arg`) as a value of `type`; an error says why it is not one. */
export function readParam(text: string, type: string | undefined): { value: ParamValue } | { error: string } {
  const t = text.trim();
  switch (type) {
    case 'NUMBER_INTEGER':
      return /^[+-]?\d+$/.test(t) ? { value: Number(t) } : { error: `${JSON.stringify(text)} is not an integer` };
    case 'NUMBER_DOUBLE': {
      const n = Number(t);
      return t !== '' && !Number.isNaN(n) ? { value: n } : { error: `${JSON.stringify(text)} is not a number` };
    }
    case 'BOOLEAN':
      if (TRUE.has(t)) return { value: true };
      if (FALSE.has(t)) return { value: false };
      return { error: `${JSON.stringify(text)} is not a boolean` };
    case 'LIST':
    case 'STRUCT': {
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        return { error: `${JSON.stringify(short(text))} is not JSON` };
      }
      const isList = Array.isArray(v);
      const isStruct = v !== null && typeof v === 'object' && !isList;
      if (type === 'LIST' ? !isList : !isStruct) return { error: `${JSON.stringify(short(text))} is not a JSON ${type === 'LIST' ? 'list' : 'object'}` };
      return { value: v as ParamValue };
    }
    default:
      // STRING, and a parameter whose type the spec leaves out: the text as written.
      return { value: text };
  }
}

const short = (s: string): string => (s.length > 80 ? `${s.slice(0, 79)}…` : s);

/**
 * `parameterExpressionSelector`, in the one form KFP's compiler writes (a field of a loop
 * item): `parseJson(string_value)["field"]`. Undefined when the expression is another.
 */
export function selectorField(expression: string): string | undefined {
  const m = /^\s*parseJson\(string_value\)\[("(?:[^"\\]|\\.)*")\]\s*$/.exec(expression);
  if (!m) return undefined;
  try {
    return JSON.parse(m[1]!) as string;
  } catch {
    return undefined;
  }
}

/** Applies a selector to a value (a struct, or its JSON text); an error when the field is not there. */
export function applySelector(v: ParamValue, field: string): { value: ParamValue } | { error: string } {
  let o: unknown = v;
  if (typeof v === 'string') {
    try {
      o = JSON.parse(v);
    } catch {
      return { error: `${JSON.stringify(short(v))} is not JSON: cannot select ["${field}"]` };
    }
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o) || !(field in o)) return { error: `${JSON.stringify(short(paramText(v)))} has no field "${field}"` };
  return { value: (o as Record<string, ParamValue>)[field]! };
}

/** A loop's items: a list, or its JSON text (`raw`, or a STRING input holding a list). */
export function itemsOf(v: ParamValue): ParamValue[] | { error: string } {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') {
    try {
      const parsed: unknown = JSON.parse(v);
      if (Array.isArray(parsed)) return parsed as ParamValue[];
    } catch {
      // Reported below.
    }
  }
  return { error: `the loop's items ${JSON.stringify(short(paramText(v)))} are not a list` };
}
