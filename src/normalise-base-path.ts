/**
 * BASE_PATH: the path of an existing site the relay is served under (`https://example.com/llm-api`,
 * with a Workers route `example.com/llm-api*`). Workers routes hand the Worker the full path, so the
 * app routes on the path with the prefix taken off, and every URL it generates puts the prefix back.
 *
 * Only unreserved characters are allowed in a segment, so the prefix can go into shell, YAML and HTML
 * snippets as it is.
 */
const BASE_PATH_SHAPE = /^(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9._~-]+)*$/;

/** '' (served at the root) or '/a/b': leading slash, no trailing slash; null when not a plain path. */
export const normaliseBasePath = (raw: string): string | null => {
  const trimmed = raw.trim().replace(/\/+$/, '');
  const path = trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  return BASE_PATH_SHAPE.test(path) ? path : null;
};
