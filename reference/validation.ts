/**
 * Validation of parameters and bodies against the spec, answering 400 with one
 * message per failed constraint in NestJS ValidationPipe wording.
 */
import type { ErrorObject } from 'ajv';
import { spec, type Operation } from '../lib/contract/spec';
import validators from '../schemas/validators.cjs';
import { billers } from './data';
import { badRequest, type Switches } from './http';

type Json = Record<string, any>;

interface Parameter {
  name: string;
  in: 'query' | 'path';
  required: boolean;
  schema: Json;
}

const say = {
  empty: (name: string) => `${name} should not be empty`,
  notSingle: (name: string) => `${name} must be a single value`,
  notInteger: (name: string) => `${name} must be an integer number`,
  notType: (name: string, type: string) => `${name} must be ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`,
  belowMinimum: (name: string, min: number) => `${name} must not be less than ${min}`,
  aboveMaximum: (name: string, max: number) => `${name} must not be greater than ${max}`,
  tooShort: (name: string, min: number) => `${name} must be longer than or equal to ${min} characters`,
  tooLong: (name: string, max: number) => `${name} must be shorter than or equal to ${max} characters`,
  noMatch: (name: string, pattern: string) => `${name} must match /${pattern}/ regular expression`,
  notOneOf: (name: string, values: readonly unknown[]) => `${name} must be one of the following values: ${values.join(', ')}`,
  unknownProperty: (name: string) => `property ${name} should not exist`,
  notUri: (name: string) => `${name} must be a URL address`,
  tooFewItems: (name: string, min: number) => `${name} must contain at least ${min} elements`,
  notUnique: (name: string) => `All ${name}'s elements must be unique`,
};
export { say as validationMessages };

function resolveSchema(schema: Json): Json {
  const ref = schema.$ref as string | undefined;
  return ref ? spec.components.schemas[ref.replace('#/components/schemas/', '')] : schema;
}

function parametersOf(op: Operation): Parameter[] {
  const declared: Json[] = spec.paths[op.path][op.method.toLowerCase()].parameters ?? [];
  return declared.map((p) => ({ name: p.name, in: p.in, required: p.required === true, schema: resolveSchema(p.schema) }));
}

function stringErrors(name: string, value: string, schema: Json, switches: Switches): string[] {
  const length = [...value].length;
  const maxLength = switches.has('ignore-query-length-limits') ? undefined : schema.maxLength;
  return [
    schema.enum && !schema.enum.includes(value) ? say.notOneOf(name, schema.enum) : '',
    schema.minLength !== undefined && length < schema.minLength ? say.tooShort(name, schema.minLength) : '',
    maxLength !== undefined && length > maxLength ? say.tooLong(name, maxLength) : '',
    schema.pattern && !new RegExp(schema.pattern, 'u').test(value) ? say.noMatch(name, schema.pattern) : '',
  ].filter(Boolean);
}

function clamp(n: number, min = -Infinity, max = Infinity): number {
  return Math.min(max, Math.max(min, n));
}

function integerParameter(name: string, raw: string, schema: Json, switches: Switches): { value: unknown; errors: string[] } {
  const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  if (switches.has('clamp-invalid-limit')) {
    return { value: Number.isSafeInteger(n) ? clamp(n, schema.minimum, schema.maximum) : schema.default, errors: [] };
  }
  if (!Number.isSafeInteger(n)) return { value: undefined, errors: [say.notInteger(name)] };
  const errors = [
    schema.minimum !== undefined && n < schema.minimum ? say.belowMinimum(name, schema.minimum) : '',
    schema.maximum !== undefined && n > schema.maximum ? say.aboveMaximum(name, schema.maximum) : '',
  ].filter(Boolean);
  return { value: n, errors };
}

/**
 * Path and query parameters of `op`, typed and defaulted from their spec schemas.
 * Query parameters the spec does not declare are ignored (client_id/client_secret included).
 */
export function validateParameters(
  op: Operation,
  pathParams: Record<string, string>,
  query: URLSearchParams,
  switches: Switches,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const { name, in: location, required, schema } of parametersOf(op)) {
    const raws = location === 'path' ? [pathParams[name]] : query.getAll(name);
    if (raws.length === 0 || raws[0] === undefined) {
      if (required) errors.push(say.empty(name));
      else if (schema.default !== undefined) values[name] = schema.default;
      continue;
    }
    if (raws.length > 1) {
      if (switches.has('crash-on-repeated-query-parameter')) throw new TypeError(`${name}.trim is not a function`);
      errors.push(say.notSingle(name));
      continue;
    }
    const checked = schema.type === 'integer'
      ? integerParameter(name, raws[0], schema, switches)
      : { value: raws[0], errors: stringErrors(name, raws[0], schema, switches) };
    values[name] = checked.value;
    errors.push(...checked.errors);
  }
  if (errors.length > 0) throw badRequest(errors);
  return values;
}

function messageOf(error: ErrorObject): string {
  const name = error.instancePath.slice(1).replaceAll('/', '.') || 'body';
  const params = error.params as Json;
  switch (error.keyword) {
    case 'required': return say.empty(params.missingProperty);
    case 'additionalProperties': return say.unknownProperty(params.additionalProperty);
    case 'type': return say.notType(name, name === 'body' ? 'JSON object' : params.type);
    case 'minLength': return say.tooShort(name, params.limit);
    case 'maxLength': return say.tooLong(name, params.limit);
    case 'pattern': return say.noMatch(name, params.pattern);
    case 'enum': return say.notOneOf(name, params.allowedValues);
    case 'format': return params.format === 'uri' ? say.notUri(name) : `${name} must be a valid ${params.format}`;
    case 'minItems': return say.tooFewItems(name, params.limit);
    case 'uniqueItems': return say.notUnique(name);
    default: return `${name} ${error.message ?? 'is invalid'}`;
  }
}

/** Stand-ins for missing required body fields under the accept-invalid-body fault. */
const faultBodyDefaults: Record<string, unknown> = {
  client_user_id: 'user_default',
  biller_id: billers[0].biller_id,
  public_token: 'public-sandbox-00000000-0000-0000-0000-000000000000',
  url: 'https://example.com/webhooks',
  webhook_id: 'wh_0',
  event_type: 'BILLS_UPDATED',
};

function withRequiredDefaults(body: unknown, required: readonly string[]): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const missing = required.filter((field) => !(field in body));
  return { ...Object.fromEntries(missing.map((field) => [field, faultBodyDefaults[field]])), ...body };
}

/** The JSON body of `op`, checked with the generated validator of its request schema. */
export function validateBody(op: Operation, body: unknown, switches: Switches): unknown {
  if (!op.requestSchema) return body;
  const input = switches.has('accept-invalid-body')
    ? withRequiredDefaults(body, spec.components.schemas[op.requestSchema].required ?? [])
    : body;
  const validate = validators[op.requestSchema];
  if (validate(input)) return input;
  throw badRequest([...new Set((validate.errors ?? []).map(messageOf))]);
}
