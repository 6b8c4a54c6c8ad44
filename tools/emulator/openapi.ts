// The contract: the vendored OpenAPI files, compiled with ajv. Every request the emulator receives
// and every answer it sends goes through here, by operationId, so that the emulator can neither
// accept what the real service refuses nor answer what a real client would not expect.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

/** A problem found in a request, in the shape of the service's 400 extraDetails: field name and reason. */
export interface ValidationIssue {
  name: string;
  reason: string;
}

export interface RequestToValidate {
  /** Path parameters by name, as the router extracted them (names compared case-insensitively). */
  pathParams: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body: string;
}

export interface RequestValidation {
  issues: ValidationIssue[];
  /** The parsed JSON body, or undefined when there is none (or the operation takes none). */
  body: unknown;
}

interface Parameter {
  name: string;
  in: 'path' | 'header' | 'query' | 'cookie';
  required: boolean;
  validate: ValidateFunction;
}

interface Operation {
  operationId: string;
  parameters: Parameter[];
  requestBody?: { required: boolean; media: Map<string, ValidateFunction> };
  /** Status code (or 'default') -> media type -> schema (null when the media type has no schema). */
  responses: Map<string, Map<string, ValidateFunction | null>>;
}

type Json = Record<string, unknown>;

const REFERENCE_DIR = fileURLToPath(new URL('../../reference/', import.meta.url));
const SPEC_FILES = { epayment: 'epayment-openapi.yaml', accesstoken: 'access-token-openapi.yaml', webhooks: 'webhooks-openapi.yaml' } as const;

// The Webhooks file declares no operationIds; the contract is looked up by them, so these are given.
const WEBHOOK_OPERATION_IDS: Record<string, Record<string, string>> = {
  '/v1/webhooks': { get: 'getAllWebhooks', post: 'registerWebhook' },
  '/v1/webhooks/{id}': { delete: 'deleteWebhook' },
};

// Spec ambiguity: capture and refund declare their request body optional (no `required: true`), yet
// the body's schema requires `modificationAmount` and the service cannot act without it. The
// documented behaviour is a 400 for a missing amount, so the body is treated as required.
const BODY_REQUIRED_ANYWAY = new Set(['capturePayment', 'refundPayment']);

export class OpenApiContract {
  private static cached: OpenApiContract | undefined;
  private readonly ajv: Ajv;
  private readonly operations = new Map<string, Operation>();
  private readonly problem: ValidateFunction;

  /** The compiled contract; compiled once per process (about 0.1 s) and shared by every emulator. */
  static load(): OpenApiContract {
    OpenApiContract.cached ??= new OpenApiContract(REFERENCE_DIR);
    return OpenApiContract.cached;
  }

  private constructor(referenceDir: string) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    for (const [api, file] of Object.entries(SPEC_FILES)) {
      const doc = parseYaml(readFileSync(referenceDir + file, 'utf8')) as Json;
      if (api === 'webhooks') nameOperations(doc, WEBHOOK_OPERATION_IDS);
      patchAmbiguities(doc);
      declareNewerFields(doc);
      registerUnknownFormats(this.ajv, doc);
      this.ajv.addSchema(doc, api);
      this.collectOperations(api, doc);
    }
    this.problem = this.ajv.compile({ $ref: 'epayment#/components/schemas/Problem' });
  }

  hasOperation(operationId: string): boolean {
    return this.operations.has(operationId);
  }

  validateRequest(operationId: string, request: RequestToValidate): RequestValidation {
    const operation = this.operation(operationId);
    const issues: ValidationIssue[] = [];
    const pathParams = lowerKeys(request.pathParams);
    for (const parameter of operation.parameters) {
      if (parameter.in !== 'path' && parameter.in !== 'header') continue;
      const key = parameter.name.toLowerCase();
      const value = parameter.in === 'path' ? pathParams[key] : request.headers[key];
      // Tolerance: real clients send optional headers empty (an unconfigured Vipps-System-Name, say),
      // and the service accepts that, so an empty optional header counts as absent.
      if (value === undefined || value === '') {
        if (parameter.required) issues.push({ name: parameter.name, reason: `The ${parameter.in === 'path' ? 'path parameter' : 'header'} ${parameter.name} is required.` });
        continue;
      }
      if (!parameter.validate(value)) {
        for (const error of parameter.validate.errors ?? []) issues.push({ name: parameter.name, reason: `${parameter.name} ${error.message ?? 'is invalid'}` });
      }
    }

    let body: unknown;
    // Tolerance: an operation without a request body (the token call) ignores whatever body came,
    // including the empty one real clients send with Content-Type: application/json.
    if (operation.requestBody) {
      const text = request.body.trim();
      if (text === '') {
        if (operation.requestBody.required) issues.push({ name: 'body', reason: 'A request body is required.' });
      } else {
        const contentType = baseMediaType(request.headers['content-type']);
        const validate = contentType ? operation.requestBody.media.get(contentType) : undefined;
        if (!validate) {
          issues.push({ name: 'Content-Type', reason: `The body must be sent as ${[...operation.requestBody.media.keys()].join(' or ')}, not ${contentType || 'without a Content-Type'}.` });
        } else {
          try {
            body = JSON.parse(text);
          } catch (error) {
            issues.push({ name: 'body', reason: `The body is not valid JSON: ${(error as Error).message}` });
          }
          if (body !== undefined && !validate(body)) issues.push(...toIssues(validate.errors));
        }
      }
    }
    return { issues, body };
  }

  /** The reasons the answer breaks the contract; empty when it is valid. */
  validateResponse(operationId: string, status: number, contentType: string | undefined, body: string): string[] {
    const operation = this.operation(operationId);
    const declared = operation.responses.get(String(status)) ?? operation.responses.get('default');
    const where = `${operationId} ${status}`;
    if (!declared) {
      // The spec lists only some error statuses per operation (no 401, 429 or 5xx anywhere), while the
      // service answers all of them in its documented error shape. An undeclared error status is
      // therefore held to the Problem schema; an undeclared success status is a contract breach.
      if (status >= 400) return this.validateProblem(status, contentType, body, where);
      return [`${where}: status ${status} is not declared for ${operationId}`];
    }
    if (declared.size === 0) {
      // The token call declares its errors with no content; our errors still carry a Problem body,
      // held to that schema so that every error the emulator sends has the same shape.
      if (status >= 400 && body !== '') return this.validateProblem(status, contentType, body, where);
      return body === '' ? [] : [`${where}: the spec declares no body, but one was sent`];
    }
    const mediaType = baseMediaType(contentType);
    if (!declared.has(mediaType)) return [`${where}: Content-Type ${contentType ?? '(none)'} is not one of ${[...declared.keys()].join(', ')}`];
    const validate = declared.get(mediaType);
    return validate ? this.validateJson(validate, body, where) : [];
  }

  /** For answers outside any operation (an unknown route): the service's error shape. */
  validateProblem(status: number, contentType: string | undefined, body: string, where = `problem ${status}`): string[] {
    if (baseMediaType(contentType) !== 'application/problem+json') return [`${where}: an error must be application/problem+json, not ${contentType ?? '(none)'}`];
    const errors = this.validateJson(this.problem, body, where);
    if (errors.length === 0 && (JSON.parse(body) as { status?: unknown }).status !== status) errors.push(`${where}: the body's status differs from the HTTP status`);
    return errors;
  }

  private validateJson(validate: ValidateFunction, body: string, where: string): string[] {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (error) {
      return [`${where}: the body is not JSON: ${(error as Error).message}`];
    }
    if (validate(value)) return [];
    return toIssues(validate.errors).map((issue) => `${where}: ${issue.name} ${issue.reason}`);
  }

  private operation(operationId: string): Operation {
    const operation = this.operations.get(operationId);
    if (!operation) throw new Error(`no operation ${operationId} in the OpenAPI files`);
    return operation;
  }

  private collectOperations(api: string, doc: Json): void {
    const paths = doc.paths as Record<string, Json>;
    for (const [path, pathItem] of Object.entries(paths)) {
      const shared = (pathItem.parameters as Json[] | undefined) ?? [];
      for (const method of ['get', 'post', 'put', 'delete', 'patch']) {
        const op = pathItem[method] as Json | undefined;
        if (!op || typeof op.operationId !== 'string') continue;
        const operationId = op.operationId;
        const parameters = new Map<string, Parameter>();
        for (const raw of [...shared, ...((op.parameters as Json[] | undefined) ?? [])]) {
          const param = resolveRef(doc, raw);
          const key = `${param.in as string}:${(param.name as string).toLowerCase()}`;
          parameters.set(key, {
            name: param.name as string,
            in: param.in as Parameter['in'],
            required: param.required === true,
            validate: this.compileAt(api, param.schema as Json, `${path}/${method}/${param.name as string}`),
          });
        }
        const operation: Operation = { operationId, parameters: [...parameters.values()], responses: new Map() };
        if (op.requestBody) {
          const requestBody = resolveRef(doc, op.requestBody as Json);
          const media = new Map<string, ValidateFunction>();
          for (const [type, content] of Object.entries((requestBody.content ?? {}) as Record<string, Json>)) {
            media.set(baseMediaType(type), this.compileAt(api, content.schema as Json, `${operationId} request ${type}`));
          }
          operation.requestBody = { required: requestBody.required === true || BODY_REQUIRED_ANYWAY.has(operationId), media };
        }
        for (const [status, rawResponse] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
          const response = resolveRef(doc, rawResponse);
          const media = new Map<string, ValidateFunction | null>();
          for (const [type, content] of Object.entries((response.content ?? {}) as Record<string, Json>)) {
            media.set(baseMediaType(type), content.schema ? this.compileAt(api, content.schema as Json, `${operationId} ${status} ${type}`) : null);
          }
          operation.responses.set(status, media);
        }
        this.operations.set(operationId, operation);
      }
    }
  }

  /** Compiles a schema found inside an API document, its local $refs resolved against that document. */
  private compileAt(api: string, schema: Json, label: string): ValidateFunction {
    try {
      return this.ajv.compile(rebaseRefs(schema, api));
    } catch (error) {
      throw new Error(`cannot compile the schema of ${label}: ${(error as Error).message}`);
    }
  }
}

export function baseMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function toIssues(errors: ErrorObject[] | null | undefined): ValidationIssue[] {
  return (errors ?? []).map((error) => {
    const field = error.instancePath.split('/').filter(Boolean).join('.');
    if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return { name: field ? `${field}.${missing}` : missing, reason: 'is required' };
    }
    return { name: field || 'body', reason: error.message ?? 'is invalid' };
  });
}

function lowerKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key.toLowerCase(), value]));
}

function resolveRef(doc: Json, node: Json): Json {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  let target: unknown = doc;
  for (const part of ref.replace(/^#\//, '').split('/')) target = (target as Json)[part];
  if (!target) throw new Error(`unresolvable $ref ${ref}`);
  return resolveRef(doc, target as Json);
}

/** Copies a schema, pointing its '#/…' refs at the named document that ajv holds. */
function rebaseRefs(schema: Json, api: string): Json {
  return JSON.parse(JSON.stringify(schema), (key, value: unknown) => (key === '$ref' && typeof value === 'string' && value.startsWith('#') ? `${api}${value}` : value)) as Json;
}

function nameOperations(doc: Json, ids: Record<string, Record<string, string>>): void {
  const paths = doc.paths as Record<string, Json>;
  for (const [path, methods] of Object.entries(ids)) {
    for (const [method, operationId] of Object.entries(methods)) {
      const op = paths[path]?.[method] as Json | undefined;
      if (!op) throw new Error(`the Webhooks OpenAPI file has no ${method} ${path}`);
      op.operationId ??= operationId;
    }
  }
}

/**
 * Where a literal reading of the spec contradicts the service's documented behaviour, the schema is
 * adjusted here, and only here.
 */
function patchAmbiguities(doc: Json): void {
  const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
  // `Customer` is a oneOf of {phoneNumber}, {personalQr} and {customerToken} whose branches list no
  // `required` property: every branch then matches any object, so a literal validator rejects every
  // customer ("must match exactly one schema"). The documented meaning is "exactly one of these
  // properties is present", which is what requiring each branch's own property expresses.
  for (const schema of Object.values(schemas)) {
    const branches = schema.oneOf as Json[] | undefined;
    if (!branches) continue;
    for (const branch of branches) {
      const target = resolveRef(doc, branch);
      if (target.properties && !target.required) target.required = Object.keys(target.properties as Json);
    }
  }
}

/**
 * Fields the service added after the vendored spec (ePayment changelog, August 2026), declared
 * here so that the emulator's own answers are held to them like every other field. Nothing else is
 * loosened: schemas that allowed other properties still do, and none that refused them now allows them.
 */
function declareNewerFields(doc: Json): void {
  const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
  const getPayment = schemas.GetPaymentResponse;
  if (!getPayment) return;
  const properties = (getPayment.properties ??= {}) as Json;
  // Until when a capture of this payment is guaranteed to succeed; optional.
  properties.captureGuaranteedUntil ??= { type: 'string', format: 'date-time' };
}

/**
 * The spec names formats that are not JSON Schema formats: descriptions such as "IATA 2-letter
 * airline code", and the token call's `guid` for client_id. They are annotations here: checking
 * `guid` would also refuse the emulator's own default client id, which is deliberately readable.
 */
function registerUnknownFormats(ajv: Ajv, doc: Json): void {
  JSON.stringify(doc, (key, value: unknown) => {
    if (key === 'format' && typeof value === 'string' && !ajv.formats[value]) ajv.addFormat(value, true);
    return value;
  });
}
