import type { IrRequest } from '../ir/request';
import type { ClientContext } from '../protocols/codec';

/**
 * The client context a stream's encoder keeps for the stream's whole life: the request without its
 * conversation (system and messages). No encoder reads those (they echo the model and honour the
 * options, tools included), and they are nearly all of a request's memory.
 */
export const streamClientContext = (requestId: string, request: IrRequest, created: number): ClientContext => ({
  requestId,
  request: { ...request, system: [], messages: [] },
  created,
});
