import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth } from '../../src/relay/json-depth';

const nested = (depth: number, open = '{"a":', close = '}') => JSON.parse(open.repeat(depth) + '1' + close.repeat(depth));

describe('exceedsJsonDepth', () => {
  it('counts objects and arrays as levels, scalars not', () => {
    expect(exceedsJsonDepth('text', 0)).toBe(false);
    expect(exceedsJsonDepth({}, 1)).toBe(false);
    expect(exceedsJsonDepth({}, 0)).toBe(true);
    expect(exceedsJsonDepth(nested(128), 128)).toBe(false);
    expect(exceedsJsonDepth(nested(129), 128)).toBe(true);
    expect(exceedsJsonDepth(nested(129, '[', ']'), 128)).toBe(true);
    expect(exceedsJsonDepth({ a: [{ b: [1, 2, { c: null }] }] }, 5)).toBe(false);
    expect(exceedsJsonDepth({ a: [{ b: [1, 2, { c: {} }] }] }, 5)).toBe(true);
  });

  it('walks a hostile 200k-deep body without recursion', () => {
    expect(exceedsJsonDepth(nested(200_000), 128)).toBe(true);
  });

  it('finds the deep branch among wide siblings', () => {
    const wide = { messages: Array.from({ length: 2000 }, (_, i) => ({ role: 'user', content: [{ type: 'text', text: `m${i}` }] })), deep: nested(130) };
    expect(exceedsJsonDepth(wide, 128)).toBe(true);
    expect(exceedsJsonDepth({ ...wide, deep: null }, 128)).toBe(false);
  });
});
