import type { GeminiPartialArg } from './schema';

/**
 * Vertex streams function-call arguments as `partialArgs` fragments addressed by JSON Path
 * (`$.foo.bar[0]`), a string value possibly continued across fragments (`willContinue`). The
 * Gemini API never does, but Vertex-compatible upstreams (recorded fixture) do: the fragments are
 * rebuilt into one arguments object, emitted when the call completes.
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/function-calling#streaming
 */
type JsonRecord = Record<string, unknown>;
type PathSegment = string | number;

const isContainer = (value: unknown): value is JsonRecord | unknown[] => value !== null && typeof value === 'object';

/** `$.a.b[0]["c d"]` → ['a', 'b', 0, 'c d']; undefined for anything else. */
export const parseJsonPath = (path: string): PathSegment[] | undefined => {
  if (!path.startsWith('$')) return undefined;
  const segments: PathSegment[] = [];
  const pattern = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/gy;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const match = pattern.exec(path);
    if (match === null) return undefined;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push((match[3] ?? match[4] ?? '').replace(/\\(.)/g, '$1'));
  }
  return segments;
};

const valueOf = (fragment: GeminiPartialArg): unknown => {
  if (typeof fragment.stringValue === 'string') return fragment.stringValue;
  if (typeof fragment.numberValue === 'number') return fragment.numberValue;
  if (typeof fragment.boolValue === 'boolean') return fragment.boolValue;
  if (fragment.nullValue !== undefined && fragment.nullValue !== null) return null;
  return undefined;
};

export class GeminiPartialArgs {
  readonly args: JsonRecord;
  /** The path whose string value the previous fragment said would continue. */
  private continuing: string | undefined;

  constructor(initial: JsonRecord | null | undefined) {
    this.args = { ...(initial ?? {}) };
  }

  apply(fragments: readonly GeminiPartialArg[] | null | undefined): void {
    for (const fragment of fragments ?? []) this.applyOne(fragment);
  }

  private applyOne(fragment: GeminiPartialArg): void {
    const path = fragment.jsonPath ?? '';
    const segments = parseJsonPath(path);
    const value = valueOf(fragment);
    if (segments === undefined || segments.length === 0 || value === undefined) return;
    const appending = this.continuing === path && typeof value === 'string';
    this.continuing = fragment.willContinue === true && typeof value === 'string' ? path : undefined;

    const last = segments[segments.length - 1];
    if (last === undefined) return;
    let node: JsonRecord | unknown[] = this.args;
    segments.slice(0, -1).forEach((key, i) => {
      const current: unknown = Array.isArray(node) ? node[Number(key)] : node[String(key)];
      const child: JsonRecord | unknown[] = isContainer(current) ? current : typeof segments[i + 1] === 'number' ? [] : {};
      if (Array.isArray(node)) node[Number(key)] = child;
      else node[String(key)] = child;
      node = child;
    });
    const previous: unknown = Array.isArray(node) ? node[Number(last)] : node[String(last)];
    const next = appending && typeof previous === 'string' ? previous + String(value) : value;
    if (Array.isArray(node)) node[Number(last)] = next;
    else node[String(last)] = next;
  }
}
