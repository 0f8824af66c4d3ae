import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import {
  appRouter,
  hasRecentAuthGuard,
  openApiDocument,
  type ProcedureDescription,
  procedureDescriptions,
  requireRole,
  router,
} from '../src/index.js';

const document = openApiDocument(appRouter, { serverUrl: 'https://auth.example.com' });
const procedurePaths = Object.keys(appRouter._def.procedures).sort();
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
);
const operation = (path: string) => operations.find((entry) => entry.path === `/trpc/${path}`)?.operation;

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('describes every procedure of the router, each at /trpc/<path>, queries as GET and mutations as POST', () => {
    expect(operations.map((entry) => entry.path.replace('/trpc/', '')).sort()).toEqual(procedurePaths);
    for (const { path, method } of operations) {
      // Flat by path at run time, whatever the type says.
      const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
      const procedure = procedures[path.replace('/trpc/', '')];
      expect(`${path} ${method}`).toBe(`${path} ${procedure?._def.type === 'query' ? 'get' : 'post'}`);
    }
  });

  it('has a description for every procedure (a new procedure needs one in openapi/descriptions.ts)', () => {
    const missing = procedurePaths.filter((path) => !procedureDescriptions[path]?.summary);
    expect(missing).toEqual([]);
    const stale = Object.keys(procedureDescriptions).filter((path) => !procedurePaths.includes(path));
    expect(stale).toEqual([]);
  });

  it('says of exactly the step-up procedures that they need a recent authentication, with a 403 for it', () => {
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: object }>;
    for (const path of procedurePaths) {
      const stepUp = hasRecentAuthGuard(procedures[path] as { _def: object });
      const described = operation(path) as { description?: string; responses: Record<string, { description: string }> };
      expect(described.description?.includes('Needs a recent authentication (step-up)') ?? false, path).toBe(stepUp);
      expect(described.responses['403']?.description.includes('REAUTH_REQUIRED') ?? false, path).toBe(stepUp);
    }
    expect(procedurePaths.filter((path) => hasRecentAuthGuard(procedures[path] as { _def: object })).length).toBe(12);
  });

  it('fails the description check for a procedure nobody described', () => {
    const extended = router({ ...appRouter._def.record, audit2: requireRole('admin').query(() => 'x') });
    const described: Record<string, ProcedureDescription> = procedureDescriptions;
    expect(Object.keys(extended._def.procedures).filter((path) => !described[path])).toEqual(['audit2']);
    // The document still lists it, under its path as summary.
    expect(openApiDocument(extended).paths['/trpc/audit2']?.get?.summary).toBe('audit2');
  });

  it('takes inputs from the zod schemas: mutation bodies and the JSON `input` query parameter', () => {
    const login = operation('auth.login');
    expect(login?.requestBody).toMatchObject({
      required: true,
      content: { 'application/json': { schema: { type: 'object', required: ['username', 'password'] } } },
    });
    // core's username rule, as JSON Schema.
    expect(operation('auth.register')?.requestBody).toMatchObject({
      content: { 'application/json': { schema: { properties: { username: { minLength: 3, maxLength: 32 } } } } },
    });
    // auth.refresh may be called with no body at all (the cookie then carries the token).
    expect(operation('auth.refresh')?.requestBody).toMatchObject({ required: false });
    expect(operation('admin.users.list')?.parameters).toEqual([
      expect.objectContaining({ name: 'input', in: 'query', required: false, content: expect.any(Object) }),
    ]);
    expect(operation('user.me')?.parameters).toBeUndefined();
  });

  it('derives security from how each procedure is built', () => {
    expect(operation('health')?.security).toEqual([]);
    expect(operation('auth.login')?.security).toEqual([]);
    expect(operation('auth.refresh')?.security).toEqual([{}, { refreshCookie: [] }]);
    expect(operation('user.me')?.security).toEqual([{ bearerAuth: [] }]);
    expect(operation('admin.users.delete')?.security).toEqual([{ bearerAuth: ['admin'] }]);
    expect(operation('service.introspect')?.security).toEqual([{ apiKeyAuth: ['tokens:introspect'] }]);
    expect(operation('service.users.get')?.security).toEqual([{ apiKeyAuth: ['users:read'] }]);
    expect(document.components.securitySchemes).toMatchObject({
      bearerAuth: { type: 'http', scheme: 'bearer' },
      apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      refreshCookie: { type: 'apiKey', in: 'cookie', name: 'gatehouse_refresh' },
    });
  });

  it('describes the success envelope and the error shape of the wire', () => {
    expect(operation('user.me')?.responses).toMatchObject({
      '200': {
        content: {
          'application/json': { schema: { required: ['result'], properties: { result: { required: ['data'] } } } },
        },
      },
      '401': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    });
    expect(document.components.schemas.Error).toMatchObject({
      required: ['error'],
      properties: {
        error: {
          required: ['message', 'code', 'data'],
          properties: {
            data: {
              properties: {
                code: { enum: expect.arrayContaining(['BAD_REQUEST', 'UNAUTHORIZED', 'TOO_MANY_REQUESTS']) },
                fieldErrors: { type: ['object', 'null'] },
                retryAfter: { type: 'integer' },
              },
            },
          },
        },
      },
    });
    expect(document.servers).toEqual([{ url: 'https://auth.example.com' }]);
  });
});
