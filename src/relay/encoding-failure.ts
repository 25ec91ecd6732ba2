import { RelayError } from '../errors';
import { AttemptFailure } from './attempt';

/**
 * The relay could not build the upstream request (a codec bug, or input that trips an encoder).
 * Nothing was sent, so it says nothing about the provider: the fallback loop moves on to the next
 * candidate, whose format may encode fine, without touching this provider's breaker.
 */
export class EncodingFailure extends AttemptFailure {}

/** Runs an encoder; the client's own 4xx verdicts pass through, any other throw becomes an EncodingFailure. */
export const encodeFor = <T>(providerId: string, encode: () => T): T => {
  try {
    return encode();
  } catch (thrown) {
    if (thrown instanceof RelayError && thrown.status < 500) throw thrown;
    // Deep nesting that slipped past the depth limit overflows an encoder's recursion: the request's shape, not ours.
    const error =
      thrown instanceof RangeError
        ? new RelayError('invalid_request', 400, `the request is nested too deeply to encode for ${providerId}`, { cause: thrown })
        : new RelayError('api_error', 500, `the relay could not encode the request for ${providerId}`, { cause: thrown });
    throw new EncodingFailure(error, true);
  }
};
