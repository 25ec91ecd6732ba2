import { exports } from 'cloudflare:workers';

export const ADMIN_TOKEN = 'test-admin-token';
const BASE = 'http://relay.test';

export const callRelay = (path: string, init: RequestInit = {}): Promise<Response> =>
  exports.default.fetch(new Request(`${BASE}${path}`, init));

export const admin = async (method: string, path: string, body?: unknown): Promise<Response> =>
  callRelay(`/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

export interface CreatedKey {
  id: string;
  key: string;
  accountId: string;
}

export const createKey = async (options: Record<string, unknown> = {}): Promise<CreatedKey> => {
  const response = await admin('POST', '/keys', { name: 'test key', plan: 'unlimited', ...options });
  if (response.status !== 201) throw new Error(`createKey failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as CreatedKey;
};

export const addProvider = async (provider: Record<string, unknown>): Promise<void> => {
  const response = await admin('POST', '/providers', { priority: 0, ...provider });
  if (response.status !== 201) throw new Error(`addProvider failed: ${response.status} ${await response.text()}`);
};

/** The built-in mock provider, as `npm run dev` seeds it. */
export const addMockProvider = async (): Promise<void> => {
  const response = await admin('POST', '/providers', { id: 'mock', protocol: 'mock', baseUrl: 'mock://', models: ['mock-*'], priority: 100 });
  if (response.status !== 201 && response.status !== 409) throw new Error(`mock provider: ${response.status} ${await response.text()}`);
};

export const jsonPost = (path: string, key: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  callRelay(path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
