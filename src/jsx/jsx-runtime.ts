import { raw } from 'hono/html';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { escapeToBuffer, type HtmlEscapedString } from 'hono/utils/html';

/**
 * The JSX runtime of the dashboard and docs pages (tsconfig's jsxImportSource, through package.json's
 * "#jsx/*" import). Pages are rendered once per request on the server, so this renders straight to
 * an escaped string with Hono's escaping and none of hono/jsx's client-side machinery (contexts,
 * hooks, head hoisting, SVG attribute renaming), which was ~4.5 KiB gzip of the Worker bundle. The
 * types stay Hono's: a page is an HtmlEscapedString that c.html() sends as it is.
 */
export type { JSX };

type Props = Record<string, unknown> & { children?: unknown };
type Component = (props: Props) => unknown;

const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
/** Written as `name=""` when true and left out when false, as browsers read presence, not value. */
const BOOLEAN_ATTRIBUTES = new Set([
  'allowfullscreen', 'async', 'autofocus', 'autoplay', 'checked', 'controls', 'default', 'defer', 'disabled', 'download', 'formnovalidate', 'hidden', 'inert',
  'ismap', 'itemscope', 'loop', 'multiple', 'muted', 'nomodule', 'novalidate', 'open', 'playsinline', 'readonly', 'required', 'reversed', 'selected',
]);
const RENAMED_ATTRIBUTES: Record<string, string> = { className: 'class', htmlFor: 'for' };
/** Tag and attribute names only ever come from the page source; this keeps a mistake from breaking out of the tag. */
const SAFE_NAME = /^[A-Za-z][A-Za-z0-9:._-]*$/;

/** Hono's rule too: anything else is its toString(), escaped (numbers here; the pages pass no other objects). */
const textOf = (value: unknown): string => (typeof value === 'string' ? value : (value as { toString(): string }).toString());

const isEscaped = (value: unknown): value is HtmlEscapedString => value instanceof String && (value as HtmlEscapedString).isEscaped === true;

const appendChild = (buffer: [string], child: unknown): void => {
  if (child === null || child === undefined || typeof child === 'boolean') return;
  if (Array.isArray(child)) for (const item of child) appendChild(buffer, item);
  else if (isEscaped(child)) buffer[0] += child;
  else if (child instanceof Promise) throw new TypeError('async components are not supported by src/jsx: await the data before rendering');
  else escapeToBuffer(textOf(child), buffer);
};

const appendAttribute = (buffer: [string], name: string, value: unknown): void => {
  if (value === null || value === undefined || name === 'children' || name === 'key' || name === 'ref') return;
  const attribute = RENAMED_ATTRIBUTES[name] ?? name;
  if (!SAFE_NAME.test(attribute)) throw new TypeError(`invalid JSX attribute name: ${attribute}`);
  if (typeof value === 'function') {
    if (attribute.startsWith('on')) return;
    throw new TypeError(`a function is not an attribute value (${attribute})`);
  }
  if (typeof value === 'boolean') {
    if (value) buffer[0] += BOOLEAN_ATTRIBUTES.has(attribute) ? ` ${attribute}=""` : ` ${attribute}="true"`;
    else if (!BOOLEAN_ATTRIBUTES.has(attribute)) buffer[0] += ` ${attribute}="false"`;
    return;
  }
  buffer[0] += ` ${attribute}="`;
  if (isEscaped(value)) buffer[0] += value;
  else escapeToBuffer(textOf(value), buffer);
  buffer[0] += '"';
};

export const jsx = (tag: string | Component, props: Props): JSX.Element => {
  if (typeof tag === 'function') {
    const rendered = tag(props);
    const buffer: [string] = [''];
    appendChild(buffer, rendered);
    return raw(buffer[0]);
  }
  if (!SAFE_NAME.test(tag)) throw new TypeError(`invalid JSX tag name: ${tag}`);
  const buffer: [string] = [`<${tag}`];
  for (const [name, value] of Object.entries(props)) appendAttribute(buffer, name, value);
  const children = props.children;
  if (VOID_ELEMENTS.has(tag) && (children === undefined || (Array.isArray(children) && children.length === 0))) return raw(`${buffer[0]}/>`);
  buffer[0] += '>';
  appendChild(buffer, children);
  buffer[0] += `</${tag}>`;
  return raw(buffer[0]);
};

/** The compiler's call for an element with several static children: rendered the same way. */
export const jsxs = (tag: string | Component, props: Props): JSX.Element => jsx(tag, props);

export const Fragment = (props: { children?: unknown }): JSX.Element => {
  const buffer: [string] = [''];
  appendChild(buffer, props.children);
  return raw(buffer[0]);
};
