import { describe, expect, it } from 'vitest';
import { RelayError } from '../../src/errors';
import { assertPublicMediaUrls, assertPublicUrl, isPublicUrl } from '../../src/net/url-safety';

const production = { allowData: false, allowPrivate: false };

const refusal = (url: string, options = production): RelayError => {
  try {
    assertPublicUrl(url, { ...options, param: 'webhook_url' });
  } catch (error) {
    if (error instanceof RelayError) return error;
    throw error;
  }
  throw new Error(`${url} was accepted`);
};

describe('assertPublicUrl', () => {
  it('accepts public http(s) URLs and returns them parsed', () => {
    for (const url of ['https://example.com/a.png', 'http://images.example.org:8080/x?y=1', 'https://8.8.8.8/', 'https://[2606:4700::1111]/', 'https://172.32.0.1/', 'https://100.128.0.1/']) {
      expect(assertPublicUrl(url, production).href).toBe(new URL(url).href);
    }
  });

  it('refuses loopback, private, link-local, CGNAT and metadata IPv4 in every spelling', () => {
    for (const url of [
      'http://127.0.0.1/',
      'http://127.1.2.3:8787/',
      'http://2130706433/', // decimal 127.0.0.1
      'http://0x7f000001/', // hex
      'http://0177.0.0.1/', // octal
      'http://0.0.0.0/',
      'http://10.0.0.5/',
      'http://172.16.0.1/',
      'http://172.31.255.255/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/',
      'http://224.0.0.1/',
      'http://255.255.255.255/',
    ]) {
      const error = refusal(url);
      expect(error).toMatchObject({ kind: 'invalid_request', status: 400, param: 'webhook_url' });
      expect(error.message).toContain('address');
    }
  });

  it('refuses IPv6 loopback, unique-local, link-local and IPv4-mapped addresses', () => {
    for (const url of ['http://[::1]/', 'http://[::]/', 'http://[fc00::1]/', 'http://[fd12:3456::1]/', 'http://[fe80::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:8.8.8.8]/', 'http://[64:ff9b::10.0.0.1]/', 'http://[fd00:ec2::254]/']) {
      expect(refusal(url).message).toContain('IPv6');
    }
  });

  it('refuses local and metadata host names, with or without a trailing dot', () => {
    for (const url of ['http://localhost/', 'http://LOCALHOST.:3000/', 'http://api.localhost/', 'http://metadata.google.internal/computeMetadata/v1/', 'http://printer.local/', 'http://intranet/']) {
      expect(refusal(url).status).toBe(400);
    }
  });

  it('refuses non-http schemes, credentials and garbage; data: only where allowed', () => {
    expect(refusal('ftp://example.com/a').message).toContain('http or https');
    expect(refusal('file:///etc/passwd').message).toContain('http or https');
    expect(refusal('javascript:alert(1)').message).toContain('http or https');
    expect(refusal('https://user:pass@example.com/').message).toContain('credentials');
    expect(refusal('not a url').message).toContain('not a valid absolute URL');
    expect(refusal('data:image/png;base64,AAAA').message).toContain('data:');
    expect(assertPublicUrl('data:image/png;base64,AAAA', { allowData: true, allowPrivate: false }).protocol).toBe('data:');
  });

  it('lifts the address rules, not the scheme rules, with allowPrivate (ALLOW_PRIVATE_URLS=true)', () => {
    const local = { allowData: false, allowPrivate: true };
    expect(assertPublicUrl('http://127.0.0.1:8787/hook', local).port).toBe('8787');
    expect(assertPublicUrl('http://localhost/', local).hostname).toBe('localhost');
    expect(refusal('ftp://127.0.0.1/', local).message).toContain('http or https');
    expect(isPublicUrl('http://[::1]/', local)).toBe(true);
    expect(isPublicUrl('http://[::1]/', production)).toBe(false);
  });
});

describe('assertPublicMediaUrls', () => {
  const at = (url: string) => [{ url: 'https://ok.example/a.png', param: 'first' }, { url, param: 'messages[0].content[1].image_url' }];

  it('passes public https, data: (unparsed) and gs:// media', () => {
    const huge = `data:image/png;base64,${'A'.repeat(1_000_000)}`;
    for (const url of ['https://upload.wikimedia.org/a.png', huge, 'DATA:image/png;base64,AAAA', 'gs://bucket/cat.png']) expect(() => assertPublicMediaUrls(at(url), false)).not.toThrow();
  });

  it('refuses private hosts and other schemes, naming the parameter', () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[::ffff:127.0.0.1]/', ' http://127.0.0.1/', 'file:///etc/passwd']) {
      let thrown: unknown;
      try {
        assertPublicMediaUrls(at(url), false);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, url).toBeInstanceOf(RelayError);
      expect((thrown as RelayError).param).toBe('messages[0].content[1].image_url');
      expect((thrown as RelayError).status).toBe(400);
    }
  });

  it('allowPrivate lifts the host rules only', () => {
    expect(() => assertPublicMediaUrls(at('http://127.0.0.1:8787/x.png'), true)).not.toThrow();
    expect(() => assertPublicMediaUrls(at('file:///etc/passwd'), true)).toThrow(RelayError);
  });
});
