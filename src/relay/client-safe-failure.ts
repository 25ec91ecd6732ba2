import { RelayError } from '../errors';
import type { Candidate } from '../routing/provider';
import { AttemptFailure } from './attempt';
import { EncodingFailure } from './encoding-failure';
import { redactorFor } from './redact-secrets';

/**
 * An upstream's 401/403 (or a bad-key error in its body) is about the relay's key for that provider,
 * not the client's: passed on, it would tell the client its own key is wrong. The client gets a 502
 * naming the provider id only (never its address or key); the upstream's words go to the log. Another
 * candidate, with other credentials, may still answer.
 */
const credentialsRejected = (failure: AttemptFailure, candidate: Candidate, requestId: string): AttemptFailure => {
  const { error } = failure;
  console.error(
    JSON.stringify({
      message: 'upstream rejected the relay credentials',
      requestId,
      providerId: candidate.provider.id,
      upstreamStatus: error.upstreamStatus ?? error.status,
      detail: error.message,
    }),
  );
  const rejected = new RelayError('api_error', 502, `the upstream rejected the relay's credentials for provider "${candidate.provider.id}"`, {
    upstreamStatus: error.upstreamStatus ?? error.status,
  });
  return new AttemptFailure(rejected, true);
};

const isCredentialsError = (error: RelayError): boolean => error.kind === 'authentication' || error.kind === 'permission';

/**
 * What an upstream attempt's failure may show a client: the provider's secrets scrubbed from the
 * error and from the upstream's own body and headers, and the provider's credential trouble told as
 * the relay's. Failures the relay made itself (an encoder, the client leaving) pass unchanged.
 */
export const clientSafeFailure = (failure: AttemptFailure, candidate: Candidate, requestId: string): AttemptFailure => {
  if (failure instanceof EncodingFailure) return failure;
  const redactor = redactorFor(candidate.provider);
  const error = redactor.error(failure.error);
  const response = failure.clientResponse;
  const redacted =
    error === failure.error && (response === undefined || !redactor.active)
      ? failure
      : new AttemptFailure(
          error,
          failure.retryable,
          response === undefined ? undefined : { status: response.status, headers: redactor.headers(response.headers), body: redactor.text(response.body) },
          failure.retryAfterMs,
        );
  return isCredentialsError(redacted.error) ? credentialsRejected(redacted, candidate, requestId) : redacted;
};
