import { createRequire } from 'node:module';
import type { AnyTRPCProcedure, AnyTRPCRouter } from '@trpc/server';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { z } from 'zod';
import { guardsOf } from '../guards.js';
import { hasRecentAuthGuard } from '../procedures.js';
import { REFRESH_COOKIE } from '../refresh-cookie.js';
import { type ProcedureDescription, procedureDescriptions } from './descriptions.js';

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

/** An OpenAPI 3.1 document, as plain JSON. */
export interface OpenApiDocument extends JsonObject {
  openapi: '3.1.0';
  info: JsonObject;
  paths: { [path: string]: { [method: string]: JsonObject } };
  components: JsonObject & { schemas: JsonObject };
}

export interface OpenApiOptions {
  /** For info.version; Gatehouse's own version by default. */
  version?: string;
  /** Where the API is served, e.g. PUBLIC_URL; the document then lists it under servers. */
  serverUrl?: string;
  /** Summaries by procedure path; Gatehouse's own by default. */
  descriptions?: Record<string, ProcedureDescription>;
}

const { version: GATEHOUSE_VERSION } = createRequire(import.meta.url)('../../package.json') as { version: string };
const JSON_TYPE = 'application/json';
const ERROR_REF = { $ref: '#/components/schemas/Error' };

const WIRE = `Gatehouse is a tRPC v11 router served over plain HTTP at /trpc, with no transformer: inputs and
outputs are JSON as written (dates are ISO 8601 strings).

- A query is \`GET /trpc/<procedure>?input=<URL-encoded JSON>\` (no \`input\` when it takes none).
- A mutation is \`POST /trpc/<procedure>\` with the JSON input as the body (\`Content-Type: application/json\`).
- Success: HTTP 200 and \`{"result":{"data": <output>}}\`.
- Failure: the HTTP status of the error and \`{"error":{"message","code","data":{"code","httpStatus","path","fieldErrors","zodError","retryAfter"?}}}\`;
  \`data.code\` is the tRPC code (BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, TOO_MANY_REQUESTS, …),
  \`fieldErrors\` maps input fields to messages, and 429/503 answers carry \`retryAfter\` and a Retry-After header.

Signed-in procedures take the access token as \`Authorization: Bearer <token>\`; service procedures take an
API key in \`X-API-Key\`. The TypeScript client (@gatehouse/client) also batches calls
(\`/trpc/a,b?batch=1\`), which this document does not describe.`;

function errorSchema(): JsonObject {
  return {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['message', 'code', 'data'],
        properties: {
          message: { type: 'string', description: 'For people; validation messages name the field.' },
          code: { type: 'integer', description: 'The JSON-RPC 2.0 number of data.code, e.g. -32600 for BAD_REQUEST.' },
          data: {
            type: 'object',
            required: ['code', 'httpStatus'],
            properties: {
              code: { type: 'string', enum: Object.keys(TRPC_ERROR_CODES_BY_KEY) },
              httpStatus: { type: 'integer' },
              path: { type: 'string', description: 'The procedure called.' },
              fieldErrors: {
                type: ['object', 'null'],
                additionalProperties: { type: 'array', items: { type: 'string' } },
                description: 'Messages by input field, for forms.',
              },
              zodError: {
                type: ['object', 'null'],
                description: "zod's flattened validation error, when the input was invalid.",
                properties: {
                  formErrors: { type: 'array', items: { type: 'string' } },
                  fieldErrors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
                },
              },
              retryAfter: { type: 'integer', description: 'Seconds to wait; only on 429 and 503 answers.' },
            },
          },
        },
      },
    },
  };
}

/**
 * A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), with any shared definitions moved
 * into components.schemas so every $ref resolves against the document.
 */
function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output', shared: JsonObject): JsonObject {
  const converted = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
  const {
    $schema: _dialect,
    $defs,
    ...rest
  } = JSON.parse(JSON.stringify(converted).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonObject;
  if ($defs && typeof $defs === 'object' && !Array.isArray($defs)) Object.assign(shared, $defs);
  return rest;
}

function isZodSchema(parser: unknown): parser is z.ZodType {
  return parser instanceof z.ZodType;
}

/** Whether the procedure may be called with no input at all. */
function inputIsOptional(parsers: z.ZodType[]): boolean {
  return parsers.every((parser) => {
    try {
      return parser.safeParse(undefined).success;
    } catch {
      return false;
    }
  });
}

function inputSchemaOf(parsers: z.ZodType[], shared: JsonObject): JsonObject {
  const schemas = parsers.map((parser) => jsonSchemaOf(parser, 'input', shared));
  return schemas.length === 1 && schemas[0] ? schemas[0] : { allOf: schemas };
}

/** Said of every procedure built with requireRecentAuth, so no description can leave it out. */
const STEP_UP =
  'Needs a recent authentication (step-up): else 403 with `data.reason = "REAUTH_REQUIRED"`; call `auth.reauthenticate`, then retry.';

/** The description, with the step-up sentence when the procedure demands a recent authentication. */
function describedAs(procedure: AnyTRPCProcedure, description: ProcedureDescription | undefined): string | undefined {
  const text = description?.description;
  if (!hasRecentAuthGuard(procedure)) return text;
  return text ? `${text} ${STEP_UP}` : STEP_UP;
}

function errorResponse(description: string): JsonObject {
  return { description, content: { [JSON_TYPE]: { schema: ERROR_REF } } };
}

/** The security requirements, from the guards the procedure was built with; `limited` when a role or scope is needed. */
function securityOf(
  procedure: AnyTRPCProcedure,
  description: ProcedureDescription | undefined,
): { security: JsonValue[]; limited: boolean } {
  const guards = guardsOf(procedure);
  const apiKey = guards.find((guard) => guard.kind === 'apiKey');
  if (apiKey) return { security: [{ apiKeyAuth: [apiKey.scope] }], limited: true };
  const role = guards.find((guard) => guard.kind === 'role');
  if (role) return { security: [{ bearerAuth: [role.role] }], limited: true };
  if (guards.some((guard) => guard.kind === 'bearer')) return { security: [{ bearerAuth: [] }], limited: false };
  // The refresh token in the body, or else the refresh cookie.
  if (description?.refreshCookie) return { security: [{}, { refreshCookie: [] }], limited: false };
  return { security: [], limited: false };
}

function operationOf(
  path: string,
  procedure: AnyTRPCProcedure,
  description: ProcedureDescription | undefined,
  shared: JsonObject,
): JsonObject {
  const parsers = ((procedure._def as { inputs?: unknown[] }).inputs ?? []).filter(isZodSchema);
  const { security, limited } = securityOf(procedure, description);
  const data = description?.output
    ? jsonSchemaOf(description.output, 'output', shared)
    : { description: "The procedure's output (see RouterOutputs in @gatehouse/client)." };
  const responses: JsonObject = {
    '200': {
      description: 'Success',
      content: {
        [JSON_TYPE]: {
          schema: {
            type: 'object',
            required: ['result'],
            properties: { result: { type: 'object', required: ['data'], properties: { data } } },
          },
        },
      },
    },
  };
  if (parsers.length) responses['400'] = errorResponse('BAD_REQUEST: the input failed validation (see fieldErrors)');
  if (security.length) responses['401'] = errorResponse('UNAUTHORIZED: missing, bad, expired or revoked credentials');
  const stepUp = hasRecentAuthGuard(procedure);
  if (limited || stepUp) {
    const reasons = [
      limited ? 'the role or API key scope is not enough' : null,
      stepUp ? 'no recent authentication (reason REAUTH_REQUIRED)' : null,
    ];
    responses['403'] = errorResponse(
      `FORBIDDEN: ${reasons.filter((reason) => reason !== null).join(', or ')}, or the account is inactive`,
    );
  }
  responses.default = errorResponse('Any other error, in the same shape (404, 409, 413, 429 with Retry-After, …)');

  const operation: JsonObject = {
    operationId: path,
    summary: description?.summary ?? path,
    tags: [path.split('.')[0] ?? path],
    security,
    responses,
    'x-trpc-type': procedure._def.type,
  };
  const text = describedAs(procedure, description);
  if (text) operation.description = text;
  if (!parsers.length) return operation;
  const schema = inputSchemaOf(parsers, shared);
  const required = !inputIsOptional(parsers);
  if (procedure._def.type === 'query') {
    operation.parameters = [
      {
        name: 'input',
        in: 'query',
        required,
        description: 'The input as JSON, URL-encoded.',
        content: { [JSON_TYPE]: { schema } },
      },
    ];
  } else {
    operation.requestBody = { required, content: { [JSON_TYPE]: { schema } } };
  }
  return operation;
}

/** The OpenAPI 3.1 description of the router's procedures as tRPC serves them over HTTP. */
export function openApiDocument(router: AnyTRPCRouter, options: OpenApiOptions = {}): OpenApiDocument {
  const descriptions = options.descriptions ?? procedureDescriptions;
  const shared: JsonObject = { Error: errorSchema() };
  const procedures = router._def.procedures as Record<string, AnyTRPCProcedure>;
  const paths: OpenApiDocument['paths'] = {};
  for (const [path, procedure] of Object.entries(procedures).sort(([a], [b]) => a.localeCompare(b))) {
    if (procedure._def.type === 'subscription') continue;
    const method = procedure._def.type === 'query' ? 'get' : 'post';
    paths[`/trpc/${path}`] = { [method]: operationOf(path, procedure, descriptions[path], shared) };
  }
  const document: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse',
      version: options.version ?? GATEHOUSE_VERSION,
      description: WIRE,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    paths,
    components: {
      schemas: shared,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'The access token from auth.login or auth.refresh. A role in the requirement is the least role needed.',
        },
        apiKeyAuth: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description: 'An API key made by an admin (admin.apiKeys.create); the requirement names the scope it needs.',
        },
        refreshCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: REFRESH_COOKIE,
          description: `Browsers in cookie mode: the HttpOnly refresh cookie (__Host-${REFRESH_COOKIE} over https), used when the input has no refreshToken.`,
        },
      },
    },
  };
  if (options.serverUrl) document.servers = [{ url: options.serverUrl }];
  return document;
}
