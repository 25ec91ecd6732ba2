import type { IrResponse } from '../../ir/response';
import type { ClientContext } from '../codec';
import { encodeResponsesOutput } from './output-items';
import { responsesResponseId, responsesResponseObject } from './response-object';
import { encodeResponsesStopReason } from './stop-reason';
import { encodeResponsesUsage } from './usage';

/** IR response → the non-streaming Response object (`object:"response"`). */
export const encodeResponsesResponse = (response: IrResponse, context: ClientContext) => {
  const terminal = encodeResponsesStopReason(response.stopReason);
  return responsesResponseObject(context, responsesResponseId(response.id), {
    status: terminal.status,
    output: encodeResponsesOutput(response.content, context.request.tools),
    usage: encodeResponsesUsage(response.usage),
    incompleteDetails: terminal.incomplete_details,
  });
};
