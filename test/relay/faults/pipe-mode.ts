import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { Env } from '../../../src/env';
import type { WireFormat } from '../../../src/ir/format';
import worker from '../../../src/index';
import { clientCall } from './wire';

const bindings: Partial<Record<'js' | 'native', Env>> = {};

/**
 * The test bindings with PASSTHROUGH_PIPE set: one object per mode, so configOf parses it once, as one
 * isolate would. Made on first use, after a test file has set its own vars on `env`.
 */
export const pipeEnv = (mode: 'js' | 'native'): Env => {
  const made = bindings[mode] ?? { ...env, PASSTHROUGH_PIPE: mode };
  bindings[mode] = made;
  return made;
};

/** harness.callClient through the Worker's own fetch entry with PASSTHROUGH_PIPE=`mode`. */
export const callClientIn = async (mode: 'js' | 'native', format: WireFormat, key: string, model: string, stream: boolean, signal?: AbortSignal): Promise<Response> => {
  const call = clientCall(format, model, stream);
  const request = new Request(`http://relay.test${call.path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(call.body),
    ...(signal === undefined ? {} : { signal }),
  });
  return worker.fetch(request, pipeEnv(mode), createExecutionContext());
};

/** A function type without its first parameter (callClientIn bound to one mode). */
export type OmitFirst<F> = F extends (first: never, ...rest: infer R) => infer T ? (...rest: R) => T : never;
