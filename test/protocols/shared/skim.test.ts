import { describe, expect, it } from 'vitest';
import { anthropicPassthroughSkimmer } from '../../../src/protocols/anthropic/passthrough-skim';
import { geminiPassthroughSkimmer } from '../../../src/protocols/gemini/passthrough-skim';
import { openAIChatPassthroughSkimmer } from '../../../src/protocols/openai-chat/passthrough-skim';
import { setFieldTest, stringValuesLength } from '../../../src/protocols/shared/skim';

/**
 * The passthrough skimmers' text tests: one pass per test, and never a skipped event whose field is
 * really set (a skimmed event's usage, stop reason or error would be lost for good).
 */
describe('setFieldTest', () => {
  const usageOrFinish = setFieldTest(['usage', 'finish_reason'], ['error']);

  it('is true for a key with a value other than null, whatever the spaces around its colon', () => {
    expect(usageOrFinish('{"usage":{"prompt_tokens":1}}')).toBe(true);
    expect(usageOrFinish('{"finish_reason" :\t "stop"}')).toBe(true);
    expect(usageOrFinish('{"a":1,\n"usage"\n:\n0}')).toBe(true);
  });

  it('is false for null values, absent keys and key names inside string values', () => {
    expect(usageOrFinish('{"usage":null,"finish_reason": null}')).toBe(false);
    expect(usageOrFinish('{"content":"no usage here"}')).toBe(false);
    expect(usageOrFinish('{"content":"say \\"usage\\": 5"}')).toBe(false);
  });

  it('finds a later occurrence when the first is null', () => {
    expect(usageOrFinish('{"choices":[{"finish_reason":null}],"x":{"finish_reason":"length"}}')).toBe(true);
  });

  it('finds the quoted words it is given anywhere, even inside strings', () => {
    expect(usageOrFinish('{"type":"error"}')).toBe(true);
    expect(usageOrFinish('{"error":{"message":"x"}}')).toBe(true);
    expect(usageOrFinish('{"content":"an error, unquoted"}')).toBe(false);
  });

  it('treats every control character as space, as the decoder would refuse the event anyway', () => {
    expect(usageOrFinish('{"usage"\u0001:{"a":1}}')).toBe(true);
  });
});

describe('stringValuesLength', () => {
  const text = stringValuesLength(['content', 'reasoning']);

  it('sums the JSON-escaped length of the first string value of each key', () => {
    expect(text('{"delta":{"content":"hello"}}')).toBe(5);
    expect(text('{"delta":{"reasoning":"ab","content":"cde"},"x":{"content":"ignored"}}')).toBe(5);
    expect(text('{"content":"a \\"quoted\\" word \\\\"}')).toBe('a \\"quoted\\" word \\\\'.length);
  });

  it('counts 0 for a key that is absent or whose first value is not a string', () => {
    expect(text('{"delta":{}}')).toBe(0);
    expect(text('{"content":null,"x":{"content":"later"}}')).toBe(0);
    expect(text('{"role":"content"}')).toBe(0);
  });
});

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: null }], ...extra });

describe('passthrough skimmers', () => {
  it('chat: content deltas are skimmed; usage, a finish, an error and the first tool calls are decoded', () => {
    const skimmer = openAIChatPassthroughSkimmer();
    expect(skimmer.skim({ data: chunk({ content: 'hi there' }) })).toBe(8);
    expect(skimmer.skim({ data: chunk({ content: 'x' }, { usage: null }) })).toBe(1);
    expect(skimmer.skim({ data: chunk({ content: 'x' }, { usage: { completion_tokens: 3 } }) })).toBeUndefined();
    expect(skimmer.skim({ data: chunk({}).replace('"finish_reason":null', '"finish_reason":"stop"') })).toBeUndefined();
    expect(skimmer.skim({ data: chunk({ content: 'x' }, { error: { message: 'boom' } }) })).toBeUndefined();
    const tools = chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] });
    expect(skimmer.skim({ data: tools })).toBeUndefined();
    expect(skimmer.skim({ data: tools })).toBe('{\\"a\\"'.length);
    expect(skimmer.skim({ data: '[DONE]' })).toBeUndefined();
    expect(skimmer.skim({ event: 'error', data: chunk({ content: 'x' }) })).toBeUndefined();
  });

  it('gemini: plain parts are skimmed until the finish; the first function call is decoded', () => {
    const skimmer = geminiPassthroughSkimmer();
    const parts = (part: Record<string, unknown>, finishReason?: string) =>
      JSON.stringify({ candidates: [{ content: { parts: [part], role: 'model' }, index: 0, ...(finishReason ? { finishReason } : {}) }], usageMetadata: { promptTokenCount: 3 } });
    expect(skimmer.skim({ data: parts({ text: 'abc' }) })).toBe(3);
    expect(skimmer.skim({ data: parts({ functionCall: { name: 'f', args: {} } }) })).toBeUndefined();
    expect(skimmer.skim({ data: parts({ functionCall: { name: 'g', args: {} } }) })).toBe(0);
    expect(skimmer.skim({ data: JSON.stringify({ promptFeedback: { blockReason: 'SAFETY' } }) })).toBeUndefined();
    expect(skimmer.skim({ data: parts({ text: 'end' }, 'STOP') })).toBeUndefined();
    expect(skimmer.skim({ data: parts({ text: 'after the end' }) })).toBeUndefined();
  });

  it('anthropic: text, thinking and tool-input deltas count their characters', () => {
    const skimmer = anthropicPassthroughSkimmer();
    const delta = (inner: Record<string, unknown>) => JSON.stringify({ type: 'content_block_delta', index: 0, delta: inner });
    expect(skimmer.skim({ event: 'content_block_delta', data: delta({ type: 'text_delta', text: 'four' }) })).toBe(4);
    expect(skimmer.skim({ event: 'content_block_delta', data: delta({ type: 'thinking_delta', thinking: 'hmm' }) })).toBe(3);
    expect(skimmer.skim({ event: 'content_block_delta', data: delta({ type: 'input_json_delta', partial_json: '{"q' }) })).toBe('{\\"q'.length);
    expect(skimmer.skim({ event: 'message_delta', data: '{"type":"message_delta","usage":{"output_tokens":5}}' })).toBeUndefined();
  });
});
