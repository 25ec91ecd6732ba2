import type { RelayError } from '../errors';
import type { WireFormat } from '../ir/format';
import { codecFor } from './registry';

/** An error response ready for a client: status, headers and the JSON body as text. */
export interface ClientErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The one place a RelayError becomes what a client receives: the client format's own error shape
 * (codec.encodeError), as JSON, with the headers that shape carries (retry-after and the like).
 */
export const clientErrorResponse = (format: WireFormat, error: RelayError, requestId: string): ClientErrorResponse => {
  const encoded = codecFor(format).encodeError(error, requestId);
  return { status: encoded.status, headers: { 'content-type': 'application/json', ...encoded.headers }, body: JSON.stringify(encoded.body) };
};
