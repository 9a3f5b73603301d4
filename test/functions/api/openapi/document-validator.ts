/**
 * What docs/openapi.json calls valid, decided from the document alone: ajv (JSON Schema 2020-12,
 * ajv-formats) over its schemas, plus an interpreter of its `x-constraints` vocabulary (the
 * table in core/rule-model/schema-docs.ts) as an ajv keyword. Nothing here imports the zod
 * schemas: the document is the only source.
 */
import { readFile } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { assertNever } from '../../../../core/assert-never';

export type JsonSchema = Record<string, unknown>;

export interface OpenApiOperation {
  operationId: string;
  security: Record<string, string[]>[];
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }>; 'x-max-body-bytes'?: number };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
  'x-additional-query-parameters'?: boolean;
}

export interface OpenApiParameter {
  name: string;
  in: 'query' | 'path';
  required: boolean;
  allowEmptyValue?: boolean;
  schema: JsonSchema;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema> };
  'x-unmatched-routes': { status: number; content: Record<string, { schema: JsonSchema }> };
}

export const loadOpenApiDocument = async (): Promise<OpenApiDocument> =>
  JSON.parse(await readFile(new URL('../../../../docs/openapi.json', import.meta.url), 'utf8')) as OpenApiDocument;

/** The result of asking the document about a value: valid, or why not. */
export type Verdict = { valid: true } | { valid: false; why: string };

/** What the constraints need to know beyond the value: the clock and what the server has returned. */
export interface ConstraintContext {
  now: () => number;
  /** Values the server returned in a field of an answer to an operation (`serverIssued`). */
  issued: (operationId: string, field: string) => ReadonlySet<string>;
}

const DOCUMENT_ID = 'openapi.json';
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** `#/components/...` of the document, wherever the schema is compiled. */
function anchorRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(anchorRefs);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' && value.startsWith('#') ? `${DOCUMENT_ID}${value}` : anchorRefs(value)]),
  );
}

/** Validates values against the document's schemas, its `x-constraints` included. */
export class DocumentValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  private readonly compiled = new WeakMap<JsonSchema, ValidateFunction>();
  /** Set while one value is validated: the operation and the host names to resolve afterwards. */
  private session: Session = { operationId: '', hosts: [], broken: [] };
  /** DNS answers by host name, asked once per run. */
  private readonly resolved = new Map<string, Promise<string[]>>();
  /** How many times each constraint kind was decided: proof that the interpreter ran. */
  readonly kindsSeen = new Map<string, number>();

  constructor(
    readonly document: OpenApiDocument,
    private readonly context: ConstraintContext,
  ) {
    addFormats(this.ajv);
    this.ajv.addKeyword({
      keyword: 'x-constraints',
      schemaType: 'array',
      errors: false,
      validate: (constraints: unknown[], data: unknown) => {
        const broken = (constraints as Constraint[]).filter((constraint) => !this.holds(constraint, data));
        this.session.broken.push(...broken.map((constraint) => `${constraint.kind} (${JSON.stringify(data)})`));
        return broken.length === 0;
      },
    });
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
  }

  /** The document's schema behind a `$ref` (one level), or the schema itself. */
  resolve(schema: JsonSchema): JsonSchema {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return schema;
    const name = ref.replace(/^#\/components\/schemas\//, '');
    const target = this.document.components.schemas[name];
    if (target === undefined) throw new Error(`the document has no schema ${ref}`);
    return this.resolve(target);
  }

  /** Whether `value` matches `schema` (a schema of the document) for `operationId`. */
  async check(schema: JsonSchema, value: unknown, operationId: string): Promise<Verdict> {
    const validate = this.compile(schema);
    this.session = { operationId, hosts: [], broken: [] };
    if (!validate(value)) return { valid: false, why: [describeErrors(validate.errors), ...this.session.broken].join('; ') };
    for (const { host, blocked, timeoutMs } of this.session.hosts) {
      if (!this.resolved.has(host)) this.resolved.set(host, resolveHost(host, timeoutMs));
      const addresses = await (this.resolved.get(host) as Promise<string[]>);
      if (addresses.length === 0) return { valid: false, why: `publicHost: ${host} does not resolve` };
      const internal = addresses.find((address) => blocked.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4'));
      if (internal !== undefined) return { valid: false, why: `publicHost: ${host} resolves to ${internal}` };
    }
    return { valid: true };
  }

  /** Whether `value` matches `schema` as far as JSON Schema and the constraints decidable offline say (no DNS). */
  matches(schema: JsonSchema, value: unknown): boolean {
    this.session = { operationId: '', hosts: [], broken: [] };
    return this.compile(schema)(value);
  }

  private compile(schema: JsonSchema): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (validate === undefined) {
      validate = this.ajv.compile(anchorRefs(schema) as JsonSchema);
      this.compiled.set(schema, validate);
    }
    return validate;
  }

  private holds(constraint: Constraint, data: unknown): boolean {
    this.kindsSeen.set(constraint.kind, (this.kindsSeen.get(constraint.kind) ?? 0) + 1);
    switch (constraint.kind) {
      case 'lessThan': {
        if (typeof data !== 'object' || data === null) return true;
        const { [constraint.field]: low, [constraint.than]: high } = data as Record<string, unknown>;
        return typeof low !== 'number' || typeof high !== 'number' || low < high;
      }
      case 'futureTimestamp':
        return typeof data !== 'string' || Date.parse(data) > this.context.now();
      case 'serverIssued':
        return typeof data !== 'string' || this.context.issued(this.session.operationId, constraint.from).has(data);
      case 'publicHost': {
        if (typeof data !== 'string' || !URL.canParse(data)) return typeof data !== 'string';
        const host = new URL(data).hostname.replace(/^\[(.*)\]$/, '$1');
        const blocked = blockListOf(constraint.blockedRanges);
        if (isIP(host) !== 0) return !blocked.check(host, isIP(host) === 6 ? 'ipv6' : 'ipv4');
        this.session.hosts.push({ host, blocked, timeoutMs: constraint.resolveTimeoutMs });
        return true;
      }
      default:
        return assertNever(constraint, 'x-constraints kind (add it to this interpreter)');
    }
  }
}

interface Session {
  operationId: string;
  /** Host names of `publicHost` URLs, resolved once ajv has passed the value. */
  hosts: { host: string; blocked: BlockList; timeoutMs: number }[];
  /** Constraints that did not hold (ajv reports only that the keyword failed). */
  broken: string[];
}

/** The `x-constraints` vocabulary, as the document carries it. */
type Constraint =
  | { kind: 'lessThan'; field: string; than: string }
  | { kind: 'futureTimestamp' }
  | { kind: 'publicHost'; blockedRanges: string[]; resolveTimeoutMs: number }
  | { kind: 'serverIssued'; from: string };

function blockListOf(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [network = '', prefix = ''] = range.split('/');
    list.addSubnet(network, Number(prefix), isIP(network) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

async function resolveHost(host: string, timeoutMs: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
  });
  const answer = lookup(host, { all: true, verbatim: true }).then(
    (entries) => entries.map((entry) => entry.address),
    () => [],
  );
  return Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.keyword}: ${error.message ?? ''}`).join('; ');
}
