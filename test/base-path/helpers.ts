import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { Env } from '../../src/env';
import worker from '../../src/index';

export const ORIGIN = 'https://relay.test';
export const BASE_PATH = '/llm-api';

/** The test bindings with BASE_PATH set: one object, so configOf parses it once, as one isolate would. */
export const prefixedEnv: Env = { ...env, BASE_PATH };

/** The Worker's own fetch entry, as a Workers route `relay.test/llm-api*` would call it. */
export const callWorker = async (path: string, init: RequestInit = {}, bindings: Env = prefixedEnv): Promise<Response> => {
  const context = createExecutionContext();
  const response = await worker.fetch(new Request(path.startsWith('http') ? path : `${ORIGIN}${path}`, init), bindings, context);
  // Read the body before waiting on the context: a stream's usage tap finishes only once it is read.
  const body = response.body === null ? null : await response.arrayBuffer();
  await waitOnExecutionContext(context);
  return new Response(body, response);
};

export const postJson = (path: string, headers: Record<string, string>, body: unknown): Promise<Response> =>
  callWorker(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Every root-relative href / action / src on an HTML page. */
export const rootRelativeLinks = (html: string): string[] => [...html.matchAll(/\s(?:href|action|src)="(\/[^"]*)"/g)].map((match) => match[1] ?? '');
