import { RelayError, invalidRequest } from '../errors';

/** Reads the client's JSON body; malformed or non-object JSON is a 400 in the caller's shape. */
export const readJsonBody = async (request: Request): Promise<Record<string, unknown>> => {
  let text: string;
  try {
    text = await request.text();
  } catch (error) {
    throw new RelayError('invalid_request', 400, 'could not read the request body', { cause: error });
  }
  if (text.trim() === '') throw invalidRequest('request body is empty: a JSON object is required');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidRequest('request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidRequest('request body must be a JSON object');
  }
  return value as Record<string, unknown>;
};
