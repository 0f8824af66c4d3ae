import { useQuery } from '@tanstack/react-query';
import { LoadError, Loading } from '../components/Loading';
import { usePageTitle } from '../page';

/** The parts of the server's OpenAPI document this page shows. */
interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: { content?: Record<string, { schema: unknown }> }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
}
interface OpenApiDocument {
  info: { version: string };
  paths: Record<string, Partial<Record<'get' | 'post', Operation>>>;
}

/** Who may call it, from the operation's security requirements. */
function authOf(operation: Operation): string {
  const requirements = operation.security ?? [];
  if (requirements.length === 0) return 'anyone';
  return requirements
    .map((requirement) => {
      const [scheme, scopes = []] = Object.entries(requirement)[0] ?? [];
      if (scheme === 'bearerAuth') return scopes.length ? `bearer token, ${scopes.join(', ')} role` : 'bearer token';
      if (scheme === 'apiKeyAuth') return `X-API-Key (${scopes.join(', ')})`;
      if (scheme === 'refreshCookie') return 'or the refresh cookie';
      return 'refresh token in the body';
    })
    .join(' ');
}

function inputSchemaOf(operation: Operation): unknown {
  const content = operation.requestBody?.content ?? operation.parameters?.[0]?.content;
  return content?.['application/json']?.schema;
}

async function fetchDocument(): Promise<OpenApiDocument> {
  const response = await fetch('/openapi.json');
  if (!response.ok) throw new Error(`The OpenAPI document could not be loaded (HTTP ${response.status})`);
  return (await response.json()) as OpenApiDocument;
}

/** Every procedure as plain HTTP, read from the server's /openapi.json. */
export function ApiReference() {
  usePageTitle('API reference');
  const document = useQuery({ queryKey: ['openapi'], queryFn: fetchDocument, staleTime: Number.POSITIVE_INFINITY });

  return (
    <>
      <div className="page-header">
        <div>
          <h1 tabIndex={-1}>API reference</h1>
          <p className="lead">
            Every procedure over plain HTTP: queries are <code>GET /trpc/&lt;name&gt;?input=&lt;JSON&gt;</code>,
            mutations <code>POST /trpc/&lt;name&gt;</code> with a JSON body. The full description is at{' '}
            <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).
          </p>
        </div>
      </div>
      {document.error ? (
        <LoadError error={document.error} what="the API reference" onRetry={() => void document.refetch()} />
      ) : !document.data ? (
        <Loading label="Loading the API reference…" />
      ) : (
        <div className="card card-flush table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Procedure</th>
                <th scope="col">Summary</th>
                <th scope="col">Who may call</th>
                <th scope="col">Input</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(document.data.paths).flatMap(([path, item]) =>
                (['get', 'post'] as const).flatMap((method) => {
                  const operation = item[method];
                  if (!operation) return [];
                  const schema = inputSchemaOf(operation);
                  return [
                    <tr key={`${method} ${path}`} data-operation={operation.operationId}>
                      <td>
                        <span className="badge badge-plain">{method.toUpperCase()}</span> <code>{path}</code>
                      </td>
                      <td>
                        {operation.summary}
                        {operation.description && <p className="muted">{operation.description}</p>}
                      </td>
                      <td>{authOf(operation)}</td>
                      <td>
                        {schema ? (
                          <details>
                            <summary>JSON Schema</summary>
                            <pre>{JSON.stringify(schema, null, 2)}</pre>
                          </details>
                        ) : (
                          'none'
                        )}
                      </td>
                    </tr>,
                  ];
                }),
              )}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
