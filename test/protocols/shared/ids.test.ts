import { describe, expect, it } from 'vitest';
import { randomId, sanitizeId, withPrefix } from '../../../src/protocols/shared/ids';

describe('randomId', () => {
  it('gives ids of the asked length over [A-Za-z0-9], unique across pool refills', () => {
    const seen = new Set<string>();
    // 24 chars × 1000 ids needs several 4 KiB pools.
    for (let i = 0; i < 1000; i++) {
      const id = randomId();
      expect(id).toMatch(/^[A-Za-z0-9]{24}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(1000);
    expect(randomId(7)).toHaveLength(7);
  });

  it('uses every character about equally (no modulo bias towards the first letters)', () => {
    const counts = new Map<string, number>();
    const text = Array.from({ length: 2000 }, () => randomId(31)).join('');
    for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = text.length / 62;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.2);
  });
});

describe('withPrefix / sanitizeId', () => {
  it('adds a prefix once and keeps ids inside Anthropic’s pattern', () => {
    expect(withPrefix('msg_', 'msg_abc')).toBe('msg_abc');
    expect(withPrefix('msg_', 'a.b/c')).toBe('msg_a_b_c');
    expect(sanitizeId('call:1 x')).toBe('call_1_x');
  });
});
