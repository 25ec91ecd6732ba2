import { describe, expect, it } from 'vitest';
import { unescapeHtml } from '../dashboard/helpers';
import { BASE_PATH, callWorker, ORIGIN, rootRelativeLinks } from './helpers';

const BASE_URL = `${ORIGIN}${BASE_PATH}`;

describe('generated URLs carry the base path', () => {
  it('docs page: snippets use the base URL, its own links the prefix', async () => {
    const html = unescapeHtml(await (await callWorker(`${BASE_PATH}/docs`)).text());
    expect(html).toContain(`export ANTHROPIC_BASE_URL="${BASE_URL}"`);
    expect(html).toContain(`curl -fsSL ${BASE_URL}/setup.sh | sh`);
    expect(html).toContain(`base_url = "${BASE_URL}/v1"`);
    expect(html).toContain(`httpOptions: { baseUrl: '${BASE_URL}' }`);
    const links = rootRelativeLinks(html);
    expect(links).toEqual(expect.arrayContaining([`${BASE_PATH}/docs`, `${BASE_PATH}/dashboard`, `${BASE_PATH}/.well-known/polyrelay.json`, `${BASE_PATH}/dashboard/assets/app.css`]));
    for (const link of links) expect(link.startsWith(`${BASE_PATH}/`), link).toBe(true);
    // and every one of them answers
    for (const link of links) expect((await callWorker(link)).status, link).not.toBe(404);
  });

  it('setup.sh points Claude Code at the base URL', async () => {
    const script = await (await callWorker(`${BASE_PATH}/setup.sh`)).text();
    expect(script).toContain(`RELAY='${BASE_URL}'`);
    expect(script).toContain(`curl -fsSL ${BASE_URL}/setup.sh | sh`);
    expect(script).toContain('"$RELAY/v1/models"');
  });

  it('discovery names the base URL in every format and link', async () => {
    const document = (await (await callWorker(`${BASE_PATH}/.well-known/polyrelay.json`)).json()) as {
      base_url: string;
      formats: Record<string, { base_url: string }>;
      links: Record<string, string>;
    };
    expect(document.base_url).toBe(BASE_URL);
    for (const format of Object.values(document.formats)) expect(format.base_url.startsWith(BASE_URL)).toBe(true);
    for (const link of Object.values(document.links)) expect(link.startsWith(`${BASE_URL}/`), link).toBe(true);
    expect((await callWorker(document.links.health ?? '')).status).not.toBe(404);
  });
});
