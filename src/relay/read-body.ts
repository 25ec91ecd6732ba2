import { RelayError, invalidRequest } from '../errors';
import { exceedsJsonDepth } from './json-depth';

/** Deeper than any real request (tool schemas included); bounds the recursion of every reader after us. */
const MAX_JSON_DEPTH = 128;

/** Reads the client's JSON body and keeps its text (passthrough may forward it as sent); malformed or non-object JSON is a 400 in the caller's shape. */
export const readJsonRequest = async (request: Request): Promise<{ value: Record<string, unknown>; text: string }> => {
  let text: string;
  try {
    text = await request.text();
  } catch (error) {
    throw new RelayError('invalid_request', 400, 'could not read the request body', { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidRequest(text.trim() === '' ? 'request body is empty: a JSON object is required' : 'request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidRequest('request body must be a JSON object');
  }
  if (exceedsJsonDepth(value, MAX_JSON_DEPTH)) throw invalidRequest(`request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  return { value: value as Record<string, unknown>, text };
};

export const readJsonBody = async (request: Request): Promise<Record<string, unknown>> => (await readJsonRequest(request)).value;
