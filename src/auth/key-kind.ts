import { RelayError } from '../errors';
import type { AuthenticatedKey, KeyKind } from './key-record';

/**
 * Agent keys and inference keys are two products on one relay: a key works only on its own surface,
 * and an agent key only while its plan includes the agent API (a plan downgraded to one without it
 * stops the key on its next request, once the key cache has let go of the old plan).
 */
export const assertKeyKind = (key: AuthenticatedKey, wanted: KeyKind): void => {
  if (key.kind !== wanted) {
    throw wanted === 'agent'
      ? new RelayError('permission', 403, 'the agent API (/api/v1/agents) takes agent keys only; create a key with kind "agent", or use this key on /v1', { code: 'agent_key_required' })
      : new RelayError('permission', 403, 'agent keys work only on the agent API (/api/v1/agents); use an inference key on this endpoint', { code: 'inference_key_required' });
  }
  if (key.kind === 'agent' && !key.planAgentAccess) {
    throw new RelayError('permission', 403, `this key's plan "${key.planId}" does not include the agent API; agent keys need a plan with agent access (pro, max5x or max20x)`, { code: 'agent_plan_required' });
  }
};
