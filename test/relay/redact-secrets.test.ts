import { describe, expect, it } from 'vitest';
import { RelayError } from '../../src/errors';
import type { IrStreamEvent } from '../../src/ir/stream-event';
import { REDACTED, redactingRenderer, redactorOf } from '../../src/relay/redact-secrets';
import type { ChunkFacts, StreamRenderer } from '../../src/streams/stream-relay';

const KEY = 'sk-proj-abcdefghijklmnop';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe('redactor', () => {
  const redactor = redactorOf([KEY, 'org-secret-1234', '1', 'true']);

  it('replaces every occurrence of the key and of configured values, but not short values', () => {
    expect(redactor.text(`Incorrect API key provided: ${KEY}. (${KEY}, org-secret-1234, true)`)).toBe(
      `Incorrect API key provided: ${REDACTED}. (${REDACTED}, ${REDACTED}, true)`,
    );
  });

  it('keeps JSON valid and finds the JSON-escaped spelling', () => {
    const quoted = redactorOf(['pass"word\\value']);
    const body = JSON.stringify({ error: { message: 'bad pass"word\\value' } });
    expect(JSON.parse(quoted.text(body))).toEqual({ error: { message: `bad ${REDACTED}` } });
  });

  it('scrubs errors, headers and bytes, and returns the same objects when there is nothing to scrub', () => {
    const error = new RelayError('invalid_request', 400, `key ${KEY}`, { upstreamStatus: 400, param: 'x' });
    expect(redactor.error(error)).toMatchObject({ message: `key ${REDACTED}`, upstreamStatus: 400, param: 'x', kind: 'invalid_request', status: 400 });
    const clean = new RelayError('api_error', 500, 'fine');
    expect(redactor.error(clean)).toBe(clean);
    expect(redactor.headers({ 'retry-after': '7', 'x-echo': KEY })).toEqual({ 'retry-after': '7', 'x-echo': REDACTED });
    const bytes = encoder.encode('nothing here');
    expect(redactor.bytes(bytes)).toBe(bytes);
  });

  it('redacts the half-masked forms upstreams echo: a visible head or the last characters of the key', () => {
    const masked = [
      `Incorrect API key provided: sk-proj-abcd${'*'.repeat(40)}mnop. You can find your API key at https://platform.example/account/api-keys.`,
      'Invalid key sk-proj-ab...mnop',
      `key ending in ${'•'.repeat(8)}lmnop was rejected`,
      'token sk-proj-abcdefg… is not valid',
    ];
    for (const message of masked) {
      const out = redactor.text(message);
      expect(out, message).toContain(REDACTED);
      expect(out, message).not.toMatch(/mnop|abcdefg/);
    }
    // Masks that are not this key's stay: the vendor prefix alone, another key's tail, ordinary ellipses.
    for (const message of [`sk-proj-${'*'.repeat(20)}wxyz is wrong`, 'sk-***', 'Loading... done', 'see https://example.com/a…b']) {
      expect(redactor.text(message), message).toBe(message);
    }
  });

  it('is inactive without secrets (the mock, a keyless local model)', () => {
    expect(redactorOf(['']).active).toBe(false);
  });
});

describe('redactingRenderer', () => {
  const seen: IrStreamEvent[][] = [];
  const passthrough: StreamRenderer = {
    chunk: (facts) => {
      seen.push(facts.ir);
      return [facts.bytes];
    },
    end: (ir) => {
      seen.push(ir);
      return ir.flatMap((event) => (event.type === 'error' ? [encoder.encode(`event: error\ndata: ${event.error.message}\n\n`)] : []));
    },
    cancel: () => {},
    endsAtFailure: () => false,
  } as StreamRenderer;
  const renderer = redactingRenderer(passthrough, redactorOf([KEY]));
  const facts = (text: string, ir: IrStreamEvent[]): ChunkFacts => ({ bytes: encoder.encode(text), sse: [], ir, failedAt: -1 }) as ChunkFacts;

  it('leaves chunks without an error untouched (no scan on the success path)', () => {
    const chunk = facts(`data: {"text":"${KEY}"}\n\n`, [{ type: 'ping' } as IrStreamEvent]);
    const [out] = renderer.chunk(chunk);
    expect(out).toBe(chunk.bytes);
  });

  it('scrubs the bytes and the IR error of a chunk that carries an error, and the error at the end', () => {
    const error: IrStreamEvent = { type: 'error', error: new RelayError('api_error', 500, `bad key ${KEY}`) };
    const [out] = renderer.chunk(facts(`event: error\ndata: {"message":"bad key ${KEY}"}\n\n`, [error]));
    expect(decoder.decode(out)).toBe(`event: error\ndata: {"message":"bad key ${REDACTED}"}\n\n`);
    expect(JSON.stringify(seen.at(-1))).not.toContain(KEY);
    const [tail] = renderer.end([error]);
    expect(decoder.decode(tail)).toBe(`event: error\ndata: bad key ${REDACTED}\n\n`);
    expect(renderer.endsAtFailure(facts('', []))).toBe(false);
  });
});
