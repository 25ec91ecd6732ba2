import { RelayError } from '../errors';
import type { AuthenticatedKey } from './key-record';

/** The one 403 for a key limited to some models asking for another, on every endpoint. */
export const modelNotAllowed = (model: string): RelayError =>
  new RelayError('permission', 403, `this API key may not use model "${model}"`, { code: 'model_not_allowed', param: 'model' });

/** The one 404 for a model no route serves (or the key may not see), on every endpoint. */
export const modelNotFound = (model: string): RelayError =>
  new RelayError('model_not_found', 404, `The model "${model}" does not exist or is not served by this relay`, { code: 'model_not_found', param: 'model' });

/** Throws modelNotAllowed unless the key may use `model` (a key with no model list may use every model). */
export const assertKeyMayUse = (key: Pick<AuthenticatedKey, 'models'>, model: string): void => {
  if (key.models !== null && !key.models.includes(model)) throw modelNotAllowed(model);
};
