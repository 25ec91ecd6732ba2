import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { configOf, type Env } from '../../src/env';
import { assertPublicUrl, MAX_URL_CHARS } from '../../src/net/url-safety';
import { csvField } from '../../src/usage/csv';
import { fetchApp } from '../dashboard/helpers';
import { addMockProvider, callRelay, createKey, jsonPost } from '../setup/seed';

describe('quadratic regex on URL hostnames', () => {
  it('a hostname of 20,000 dots is refused at once, not after a quadratic scan', () => {
    const options = { allowData: false, allowPrivate: false, param: 'image_url' };
    const started = performance.now();
    expect(() => assertPublicUrl(`https://a${'.'.repeat(20_000)}x/`, options)).toThrow(/longer than/);
    expect(() => assertPublicUrl(`https://example${'.'.repeat(7_000)}/`, options)).toThrow(/fully qualified|no host/);
    expect(performance.now() - started).toBeLessThan(20);
  });

  it('client URLs over 8 KiB are refused with a 400 in the caller shape; data: URIs are exempt', async () => {
    await addMockProvider();
    const { key } = await createKey();
    const long = `https://images.example.com/${'a'.repeat(MAX_URL_CHARS)}.png`;
    const response = await jsonPost('/v1/chat/completions', key, { model: 'mock-1', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: long } }] }] });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('longer than');
    const data = `data:image/png;base64,${'A'.repeat(MAX_URL_CHARS * 2)}`;
    expect(assertPublicUrl(data, { allowData: true, allowPrivate: false }).protocol).toBe('data:');
  });
});

describe('request bodies', () => {
  it('the default limit is 10 MiB, and a larger body is refused before it is parsed', async () => {
    const defaults: Env = { ...env, MAX_BODY_BYTES: undefined };
    expect(configOf(defaults).maxBodyBytes).toBe(10 * 1024 * 1024);
    const { key } = await createKey();
    const body = JSON.stringify({ model: 'mock-1', messages: [{ role: 'user', content: 'x'.repeat(10 * 1024 * 1024) }] });
    const response = await fetchApp('/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body }, defaults);
    expect(response.status).toBe(413);
  });
});

describe('CSV export: formula injection', () => {
  it.each([['=HYPERLINK("http://evil.example","x")'], ['+1+1'], ['-2+3'], ['@SUM(A1)'], ['\tcmd'], ['\rcmd']])('%j is exported as text', (cell) => {
    const field = csvField(cell);
    expect(field.replace(/^"/, '').startsWith("'")).toBe(true);
  });

  it('plain numbers, negative ones included, stay numbers', () => {
    expect(csvField('-0.25')).toBe('-0.25');
    expect(csvField(-3)).toBe('-3');
    expect(csvField('claude-opus')).toBe('claude-opus');
  });
});

describe('setup.sh over plain http', () => {
  it('is refused for a public origin, served for https and loopback', async () => {
    expect((await fetchApp('http://relay.example.com/setup.sh')).status).toBe(400);
    expect((await fetchApp('https://relay.example.com/setup.sh')).status).toBe(200);
    expect((await fetchApp('http://localhost:8787/setup.sh')).status).toBe(200);
    expect((await fetchApp('http://127.0.0.1:8787/setup.sh')).status).toBe(200);
    expect((await callRelay('/setup.sh')).status).toBe(400);
  });
});
