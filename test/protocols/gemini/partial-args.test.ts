import { describe, expect, it } from 'vitest';
import { GeminiPartialArgs, parseJsonPath } from '../../../src/protocols/gemini/partial-args';

describe('Vertex partialArgs', () => {
  it('parses JSON paths', () => {
    expect(parseJsonPath('$.foo.bar[0].data')).toEqual(['foo', 'bar', 0, 'data']);
    expect(parseJsonPath("$['a b'][\"c\"]")).toEqual(['a b', 'c']);
    expect(parseJsonPath('foo')).toBeUndefined();
    expect(parseJsonPath('$.a..b')).toBeUndefined();
  });

  it('rebuilds nested arguments, joining continued strings', () => {
    const args = new GeminiPartialArgs({ fixed: true });
    args.apply([{ jsonPath: '$.query', stringValue: 'hel', willContinue: true }]);
    args.apply([{ jsonPath: '$.query', stringValue: 'lo' }]);
    args.apply([
      { jsonPath: '$.filters[0].limit', numberValue: 3 },
      { jsonPath: '$.filters[0].strict', boolValue: false },
      { jsonPath: '$.cursor', nullValue: 'NULL_VALUE' },
      { jsonPath: '$.query2', stringValue: 'a' },
      { jsonPath: '$.query2', stringValue: 'b' },
    ]);
    expect(args.args).toEqual({ fixed: true, query: 'hello', filters: [{ limit: 3, strict: false }], cursor: null, query2: 'b' });
  });
});
