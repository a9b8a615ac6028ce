/**
 * The API reference: the OpenAPI document the server generates from its route schemas
 * (/api/0/openapi.json), rendered as a page. Rendered by the app itself rather than a third-party
 * viewer, so it keeps the dashboard's Content-Security-Policy (same-origin scripts, no inline code).
 */
import { api } from '../api.js';
import { ErrorBox, Loading } from '../components/status.js';
import { useAsync } from '../hooks.js';

interface Schema {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  items?: Schema;
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
}
interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options'];

/** A schema as one short line: "integer 1..100", "unresolved | resolved | ignored", "Project[]". */
function typeText(schema: Schema | undefined): string {
  if (!schema) return '';
  if (schema.enum) return schema.enum.map(String).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeText).join(' | ');
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any');
  if (type === 'array') return `${typeText(schema.items)}[]`;
  const limits = [
    schema.minimum !== undefined || schema.maximum !== undefined ? `${schema.minimum ?? ''}..${schema.maximum ?? ''}` : '',
    schema.maxLength !== undefined ? `≤ ${schema.maxLength} chars` : '',
    schema.default !== undefined ? `default ${String(schema.default)}` : '',
  ].filter(Boolean);
  return limits.length ? `${type} (${limits.join(', ')})` : type;
}

function Fields({ schema }: { schema: Schema }) {
  const properties = Object.entries(schema.properties ?? {});
  if (!properties.length) return <code>{typeText(schema)}</code>;
  return (
    <table class="api-fields">
      <tbody>
        {properties.map(([name, field]) => (
          <tr key={name}>
            <td>
              <code>{name}</code>
              {schema.required?.includes(name) ? '' : '?'}
            </td>
            <td>{typeText(field)}</td>
            <td class="muted">{field.description ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function OperationView({ method, path, op }: { method: string; path: string; op: Operation }) {
  const body = op.requestBody?.content?.['application/json']?.schema;
  const ok = Object.entries(op.responses ?? {}).find(([status]) => status.startsWith('2'));
  const okSchema = ok?.[1].content?.['application/json']?.schema;
  const errors = Object.keys(op.responses ?? {}).filter((status) => !status.startsWith('2'));
  return (
    <section class="api-operation" id={`${method}-${path}`}>
      <h3>
        <span class={`api-method api-${method}`}>{method.toUpperCase()}</span> <code>{path}</code>
      </h3>
      {op.summary && <p>{op.summary}</p>}
      {op.description && <p class="muted">{op.description}</p>}
      {op.parameters?.length ? (
        <table class="api-fields">
          <tbody>
            {op.parameters.map((p) => (
              <tr key={`${p.in}-${p.name}`}>
                <td>
                  <code>{p.name}</code>
                  {p.required ? '' : '?'}
                </td>
                <td>
                  {p.in} · {typeText(p.schema)}
                </td>
                <td class="muted">{p.description ?? p.schema?.description ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {body && (
        <>
          <h4>Body (JSON)</h4>
          <Fields schema={body} />
        </>
      )}
      {ok && (
        <>
          <h4>Answer {ok[0]}</h4>
          {okSchema ? <Fields schema={okSchema.type === 'array' && okSchema.items ? okSchema.items : okSchema} /> : <p class="muted">{ok[1].description}</p>}
          {okSchema?.type === 'array' && <p class="muted">A list of these.</p>}
        </>
      )}
      {errors.length > 0 && <p class="muted">Errors: {errors.join(', ')} as {'{"error": {"code", "message", "field"?}}'}</p>}
    </section>
  );
}

export function ApiReferencePage() {
  const doc = useAsync(() => api<OpenApiDocument>('/api/0/openapi.json'), []);
  if (doc.error) return <ErrorBox error={doc.error} />;
  if (!doc.data) return <Loading />;
  const operations = Object.entries(doc.data.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method]! })),
  );
  const groups = new Map<string, typeof operations>();
  for (const entry of operations) {
    const tag = entry.op.tags?.[0] ?? 'other';
    groups.set(tag, [...(groups.get(tag) ?? []), entry]);
  }
  return (
    <div class="api-reference">
      <h1>
        {doc.data.info.title} <span class="muted">{doc.data.info.version}</span>
      </h1>
      <p>{doc.data.info.description}</p>
      <p>
        Machine-readable: <a href="/api/0/openapi.json">/api/0/openapi.json</a> (OpenAPI 3.1).
      </p>
      {[...groups].map(([tag, entries]) => (
        <div key={tag}>
          <h2>{tag}</h2>
          {entries.map((e) => (
            <OperationView key={`${e.method} ${e.path}`} {...e} />
          ))}
        </div>
      ))}
    </div>
  );
}
