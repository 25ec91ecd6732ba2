import { RelayError } from '../errors';

export interface UrlSafetyOptions {
  /** Accept `data:` URIs (inline images); their content is the caller's to validate. */
  allowData: boolean;
  /** Lift the address checks (ALLOW_PRIVATE_URLS=true, local dev and tests); the scheme check stays. */
  allowPrivate: boolean;
  /** The parameter named in the 400 (OpenAI `param`), e.g. "webhook_url" or "image_urls[2]". */
  param?: string;
}

/** Names that resolve to the machine itself or to cloud metadata services. */
const BLOCKED_HOSTNAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback', 'metadata', 'metadata.google.internal', 'instance-data', 'instance-data.ec2.internal']);
const BLOCKED_SUFFIXES = ['.localhost', '.local', '.internal', '.localdomain', '.home.arpa'];

/** IPv4 ranges that are not publicly routable (RFC 6890 special-purpose registry), as [base, prefix]. */
const BLOCKED_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, includes the 169.254.169.254 metadata endpoint
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes broadcast
];

const parseV4 = (text: string): number | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
};

const isBlockedV4 = (address: number): boolean =>
  BLOCKED_V4.some(([base, prefix]) => {
    const size = 2 ** (32 - prefix);
    const start = parseV4(base) ?? 0;
    return address >= start && address < start + size;
  });

/** Eight 16-bit groups, or undefined when the text is not an IPv6 literal. */
const parseV6 = (text: string): number[] | undefined => {
  let head = text;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(head);
  if (v4?.[1] !== undefined) {
    const address = parseV4(v4[1]);
    if (address === undefined) return undefined;
    tail.push(Math.floor(address / 65536), address % 65536);
    head = head.slice(0, -v4[1].length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string | undefined): number[] | undefined => {
    if (part === undefined || part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const left = groups(halves[0]);
  const right = groups(halves[1]);
  if (left === undefined || right === undefined) return undefined;
  const known = left.length + right.length + tail.length;
  if (halves.length === 1) return known === 8 ? [...left, ...tail] : undefined;
  if (known > 7) return undefined;
  return [...left, ...new Array<number>(8 - known).fill(0), ...right, ...tail];
};

const embeddedV4 = (groups: number[]): number => (groups[6] ?? 0) * 65536 + (groups[7] ?? 0);

const isBlockedV6 = (groups: number[]): boolean => {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0] = groups;
  const firstSixZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (firstSixZero && g5 === 0) return true; // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
  if (firstSixZero && g5 === 0xffff) return true; // IPv4-mapped: a way around every IPv4 rule
  if (g0 === 0x64 && g1 === 0xff9b) return isBlockedV4(embeddedV4(groups)); // NAT64 of a private IPv4
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return true; // link-local, site-local
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation
  if (g0 === 0x2002) return isBlockedV4(g1 * 65536 + g2); // 6to4 wrapping a private IPv4
  return false;
};

/** A client URL longer than this is refused unparsed; data: URIs (inline images) are exempt. */
export const MAX_URL_CHARS = 8 * 1024;

/** `example.com...` → `example.com`, in one backward pass (an end-anchored regex rescans from every dot). */
const withoutTrailingDots = (hostname: string): string => {
  let end = hostname.length;
  while (end > 0 && hostname.charCodeAt(end - 1) === 0x2e) end--;
  return hostname.slice(0, end);
};

/** Why a hostname is refused, or undefined when it may be fetched. */
const refusalFor = (rawHostname: string): string | undefined => {
  const hostname = withoutTrailingDots(rawHostname.toLowerCase());
  if (hostname === '') return 'has no host';
  if (hostname.startsWith('[') && hostname.endsWith(']')) {
    const groups = parseV6(hostname.slice(1, -1));
    if (groups === undefined) return 'has an invalid IPv6 address';
    return isBlockedV6(groups) ? 'points at a loopback, private, link-local or mapped IPv6 address' : undefined;
  }
  // The WHATWG parser already turned decimal, octal and hex IPv4 spellings into dotted quads.
  const v4 = parseV4(hostname);
  if (v4 !== undefined) return isBlockedV4(v4) ? 'points at a loopback, private, link-local or metadata address' : undefined;
  if (BLOCKED_HOSTNAMES.has(hostname) || BLOCKED_SUFFIXES.some((suffix) => hostname.endsWith(suffix))) {
    return 'points at a local or metadata host name';
  }
  if (!hostname.includes('.')) return 'must use a fully qualified host name';
  return undefined;
};

/**
 * The one check for URLs that come from clients (image_urls, webhook_url, image parts): http(s), or
 * data: where allowed, and never an address the relay's own network could reach privately. Names are
 * checked as written; Workers' fetch cannot resolve DNS first, and Cloudflare's egress does not reach
 * private networks, so the name rules are a guard against the obvious spellings. Provider baseUrls
 * are the operator's and are not checked here.
 * Throws invalid_request 400; returns the parsed URL.
 */
export const assertPublicUrl = (url: string, options: UrlSafetyOptions): URL => {
  const label = options.param ?? 'url';
  const refuse = (reason: string): RelayError => new RelayError('invalid_request', 400, `${label}: URL ${reason}`, { param: options.param, code: 'invalid_url' });
  if (url.length > MAX_URL_CHARS && !/^data:/i.test(url)) throw refuse(`is longer than ${MAX_URL_CHARS} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('is not a valid absolute URL');
  }
  if (parsed.protocol === 'data:') {
    if (options.allowData) return parsed;
    throw refuse('must be http or https, not a data: URI');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw refuse(`must be http or https, not ${parsed.protocol}`);
  if (parsed.username !== '' || parsed.password !== '') throw refuse('must not carry credentials');
  if (options.allowPrivate) return parsed;
  const reason = refusalFor(parsed.hostname);
  if (reason !== undefined) throw refuse(reason);
  return parsed;
};

/** The same rule as a predicate, for places that decide rather than answer (redirect hops). */
export const isPublicUrl = (url: string, options: Omit<UrlSafetyOptions, 'param'>): boolean => {
  try {
    assertPublicUrl(url, options);
    return true;
  } catch {
    return false;
  }
};

/** Inline data, and Cloud Storage objects that Google fetches on its own side: nothing for the relay's network. */
const NOT_FETCHED_HERE = /^(data|gs):/i;

/**
 * Media URLs a chat request asks an upstream to fetch (image parts, file URLs, Gemini fileUri): data:
 * and gs: pass unparsed (an inline image may be megabytes), anything else must be a public http(s) URL.
 */
export const assertPublicMediaUrls = (urls: ReadonlyArray<{ url: string; param: string }>, allowPrivate: boolean): void => {
  for (const { url, param } of urls) if (!NOT_FETCHED_HERE.test(url)) assertPublicUrl(url, { allowData: true, allowPrivate, param });
};
