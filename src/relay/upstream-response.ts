import { RelayError } from '../errors';
import type { Codec } from '../protocols/codec';
import { recordProviderFailure } from '../routing/provider-health';
import type { ClientErrorResponse } from '../protocols/client-error';
import { AttemptFailure } from './attempt';
import { retryAfterMsFromHeaders } from './retry-policy';
import { stageStep } from '../streams/stage-step';
import { isRetryableKind, isRetryableStatus } from './upstream-fetch';

interface UpstreamAbort {
  signal: AbortSignal;
  abort: (reason: unknown) => void;
  /** From now on the client's signal no longer aborts the upstream: whoever reads it decides (see StreamRelay). */
  unlink: () => void;
}

/** The upstream request's abort, which follows the client's signal (client gone ⇒ upstream aborted) until unlinked. */
export const linkedAbort = (clientSignal: AbortSignal): UpstreamAbort => {
  const controller = new AbortController();
  const follow = () => controller.abort(clientSignal.reason);
  if (clientSignal.aborted) follow();
  else clientSignal.addEventListener('abort', follow, { once: true });
  return { signal: controller.signal, abort: (reason) => controller.abort(reason), unlink: () => clientSignal.removeEventListener('abort', follow) };
};

/**
 * A non-2xx answer as an AttemptFailure: retryable on 408/429/5xx/529, never on other 4xx.
 * `clientResponse` may return undefined: the client then gets `error` in its own shape.
 */
export const statusFailure = async (
  codec: Codec,
  response: Response,
  clientResponse: (error: RelayError, text: string) => ClientErrorResponse | undefined,
): Promise<AttemptFailure> => {
  const text = await response.text().catch(() => '');
  const error = codec.decodeError(response.status, text, response.headers);
  return new AttemptFailure(error, isRetryableStatus(response.status), clientResponse(error, text), retryAfterMsFromHeaders(response.headers));
};

/** Whether an upstream error body is JSON a client of the same format can be given as is (not an HTML error page). */
export const isJsonErrorBody = (text: string): boolean => {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object';
  } catch {
    return false;
  }
};

/**
 * The whole body of a non-stream answer. Its headers came only once the answer was complete, so the
 * body gets one idle-timeout span in total (a body that stalls is aborted upstream); a cut or stalled
 * body is a retryable failure. Read natively in one call: no JS per chunk.
 */
const readBodyText = async (response: Response, idleMs: number, label: string, abortUpstream: (reason: unknown) => void): Promise<string> => {
  if (response.body === null) return '';
  let timedOut: RelayError | undefined;
  const timer = setTimeout(() => {
    timedOut = new RelayError('timeout', 504, `${label}: upstream sent nothing for ${idleMs} ms`);
    abortUpstream(timedOut);
  }, idleMs);
  try {
    return await response.text();
  } catch (cause) {
    const error = timedOut ?? new RelayError('api_error', 502, `${label}: upstream connection lost`, { cause, upstreamStatus: 502 });
    throw new AttemptFailure(error, true);
  } finally {
    clearTimeout(timer);
  }
};

/** A non-stream answer's JSON: read with the idle timeout, and a 200 whose body is an error refused as a failure. */
export const readJsonAnswer = async (
  codec: Codec,
  response: Response,
  idleMs: number,
  label: string,
  abortUpstream: (reason: unknown) => void,
): Promise<{ text: string; value: unknown }> => {
  const text = await readBodyText(response, idleMs, label, abortUpstream);
  const value = parseJsonBody(text, label);
  const failure = await okBodyFailure(codec, value, text, response.headers);
  if (failure !== undefined) throw failure;
  return { text, value };
};

/** A 2xx body that is not JSON is the upstream's fault: try the next candidate. */
const parseJsonBody = (text: string, label: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new AttemptFailure(new RelayError('api_error', 502, `${label}: upstream returned invalid JSON`, { cause, upstreamStatus: 502 }), true);
  }
};

const hasErrorMember = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && 'error' in value && value.error != null;

/**
 * A 200 whose JSON body is an error (all four formats put it under a top-level `error`). The format's
 * stream decoder reads it as an in-stream error, which infers the kind from the error's type (the
 * HTTP status says nothing here); when it cannot, the format's HTTP error decoder reads it as a 502.
 */
const okBodyFailure = async (codec: Codec, value: unknown, text: string, headers: Headers): Promise<AttemptFailure | undefined> => {
  if (!hasErrorMember(value)) return undefined;
  let error: RelayError | undefined;
  try {
    const decoder = stageStep(codec.decodeStreamStage());
    const events = decoder.push({ data: text });
    decoder.abort('read');
    for (const event of events) if (event.type === 'error') error ??= event.error;
  } catch {
    error = undefined;
  }
  error ??= codec.decodeError(502, text, headers);
  return new AttemptFailure(error, isRetryableKind(error.kind));
};

/** A JSON answer to a stream request: an error body, or at least not the event stream that was asked for. */
export const jsonInsteadOfStream = async (
  codec: Codec,
  response: Response,
  idleMs: number,
  label: string,
  abortUpstream: (reason: unknown) => void,
): Promise<AttemptFailure> => {
  const text = await readBodyText(response, idleMs, label, abortUpstream);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  return (
    (await okBodyFailure(codec, value, text, response.headers)) ??
    new AttemptFailure(new RelayError('api_error', 502, `${label}: upstream answered a stream request without an event stream`, { upstreamStatus: 502 }), true)
  );
};

export const isJsonResponse = (response: Response): boolean => (response.headers.get('content-type') ?? '').includes('json');

/**
 * A provider that fails after the client got bytes is as unhealthy as one that fails before (the
 * client's own errors aside). A rate limit mid-stream is not a failure, and without the upstream model
 * it cannot be remembered for reordering (that memory is per provider and model), so it is left out.
 */
export const recordMidStreamFailure =
  (providerId: string) =>
  (error: RelayError): void => {
    if (isRetryableKind(error.kind) && error.kind !== 'rate_limit') recordProviderFailure(providerId, Date.now());
  };
