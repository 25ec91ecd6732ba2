import { RelayError } from '../errors';

/** What failed on the way to an upstream before it answered. */
export type UpstreamFailureClass = 'dns' | 'connect' | 'tls' | 'timeout' | 'network';

const WORDING: Readonly<Record<UpstreamFailureClass, string>> = {
  dns: 'DNS lookup of the upstream host failed',
  connect: 'could not connect to the upstream',
  tls: 'TLS handshake with the upstream failed',
  timeout: 'the upstream did not answer in time',
  network: 'the connection to the upstream failed',
};

/**
 * An upstream that could not be reached. The message names the provider id and what failed, never
 * the address or the runtime's own words (they carry the host name); those stay on `cause` for the log.
 */
export class UpstreamFailure extends RelayError {
  constructor(
    readonly failure: UpstreamFailureClass,
    providerId: string,
    options: { cause?: unknown; upstreamStatus?: number; detail?: string } = {},
  ) {
    const kind = failure === 'timeout' ? 'timeout' : 'api_error';
    const message = `provider "${providerId}": ${WORDING[failure]}${options.detail === undefined ? '' : ` (${options.detail})`}`;
    // A timeout is the relay's verdict, not an upstream status: retry-policy treats the two differently.
    const upstreamStatus = failure === 'timeout' ? options.upstreamStatus : (options.upstreamStatus ?? 502);
    super(kind, failure === 'timeout' ? 504 : 502, message, { cause: options.cause, ...(upstreamStatus === undefined ? {} : { upstreamStatus }) });
  }
}

/** Reads the class off a fetch() rejection; the runtime's messages are the only signal it gives. */
export const classifyFetchError = (error: unknown): UpstreamFailureClass => {
  const text = error instanceof Error ? `${error.name} ${error.message} ${(error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : typeof error.cause === 'string' ? error.cause : '')}` : String(error);
  if (/dns|getaddrinfo|ENOTFOUND|EAI_AGAIN|name (or service )?not known|could not resolve/i.test(text)) return 'dns';
  if (/tls|ssl|certificate|handshake/i.test(text)) return 'tls';
  if (/timed? ?out|ETIMEDOUT/i.test(text)) return 'timeout';
  if (/refused|ECONNREFUSED|unreachable|EHOSTUNREACH|ENETUNREACH|\bconnect\b/i.test(text)) return 'connect';
  return 'network';
};

/**
 * Cloudflare answers for an origin it could not reach with its own HTML error page: 521 (refused),
 * 522 (connect timed out), 523 (unreachable), 525 (TLS handshake), 526 (invalid certificate) and 530
 * (with error 1016: the origin's DNS). An upstream's own JSON 5xx is its answer and is not reclassified.
 */
export const classifyEdgeStatus = (status: number, contentType: string | null): UpstreamFailureClass | undefined => {
  if (contentType !== null && /json|event-stream/i.test(contentType)) return undefined;
  switch (status) {
    case 521:
    case 522:
    case 523:
      return 'connect';
    case 525:
    case 526:
      return 'tls';
    case 530:
      return 'dns';
    default:
      return undefined;
  }
};

/** The class of a request's final error for the request log: a reachability class, `status` for an upstream's own error answer. */
export const failureClassOf = (error: RelayError | undefined): UpstreamFailureClass | 'status' | undefined => {
  if (error === undefined) return undefined;
  if (error instanceof UpstreamFailure) return error.failure;
  if (error.kind === 'timeout') return 'timeout';
  return error.upstreamStatus === undefined ? undefined : 'status';
};
