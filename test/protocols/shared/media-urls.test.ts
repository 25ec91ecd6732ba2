import { describe, expect, it } from 'vitest';
import { codecFor } from '../../../src/protocols/registry';

const U = 'https://media.example/';

describe('mediaUrlsOf: every place a client can put a media URL, read off the parsed body', () => {
  it('openai-chat: image_url parts in user and tool messages, object or bare string', () => {
    const body = {
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: `${U}1` } }, { type: 'image_url', image_url: `${U}2` }] },
        { role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,AAAA' } }, { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] },
        { role: 'tool', tool_call_id: 'c1', content: [{ type: 'image_url', image_url: { url: `${U}3` } }] },
      ],
    };
    expect(codecFor('openai-chat').mediaUrlsOf(body)).toEqual([
      { url: `${U}1`, param: 'messages[1].content[1].image_url' },
      { url: `${U}2`, param: 'messages[1].content[2].image_url' },
      { url: `${U}3`, param: 'messages[3].content[0].image_url' },
    ]);
  });

  it('openai-responses: input_image / input_file in messages (typed or not) and in tool outputs', () => {
    const body = {
      input: [
        { role: 'user', content: [{ type: 'input_image', image_url: `${U}1` }, { type: 'input_file', file_url: `${U}2` }, { type: 'input_file', file_data: 'AAAA' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_image', image_url: `${U}3` }] },
        { type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_image', image_url: `${U}4` }] },
        { type: 'custom_tool_call_output', call_id: 'c2', output: 'text only' },
      ],
    };
    expect(codecFor('openai-responses').mediaUrlsOf(body).map((entry) => entry.param)).toEqual([
      'input[0].content[0].image_url',
      'input[0].content[1].file_url',
      'input[1].content[0].image_url',
      'input[2].output[0].image_url',
    ]);
    expect(codecFor('openai-responses').mediaUrlsOf({ input: 'hi' })).toEqual([]);
  });

  it('anthropic: url sources on images and documents, inside tool_result and content-sourced documents', () => {
    const body = {
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'url', url: `${U}1` } },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
            { type: 'document', source: { type: 'url', url: `${U}2` } },
            { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'image', source: { type: 'url', url: `${U}3` } }] },
            { type: 'document', source: { type: 'content', content: [{ type: 'image', source: { type: 'url', url: `${U}4` } }] } },
          ],
        },
      ],
    };
    expect(codecFor('anthropic').mediaUrlsOf(body).map((entry) => entry.param)).toEqual([
      'messages[1].content[0].source.url',
      'messages[1].content[2].source.url',
      'messages[1].content[3].content[0].source.url',
      'messages[1].content[4].source.content[0].source.url',
    ]);
  });

  it('gemini: fileData in contents, systemInstruction, functionResponse parts, either spelling, and countTokens wrapping', () => {
    const body = {
      contents: [
        { role: 'user', parts: [{ text: 'hi' }, { fileData: { fileUri: `${U}1` } }, { file_data: { file_uri: `${U}2` } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'f', response: {}, parts: [{ fileData: { fileUri: `${U}3` } }] } }] },
      ],
      system_instruction: { parts: [{ fileData: { fileUri: `${U}4` } }] },
      generateContentRequest: { contents: [{ parts: [{ fileData: { fileUri: `${U}5` } }] }] },
    };
    expect(codecFor('gemini').mediaUrlsOf(body).map((entry) => entry.url)).toEqual([`${U}1`, `${U}2`, `${U}3`, `${U}4`, `${U}5`]);
  });

  it('bodies without media parts give nothing', () => {
    for (const format of ['openai-chat', 'openai-responses', 'anthropic', 'gemini'] as const) {
      expect(codecFor(format).mediaUrlsOf({ messages: [{ role: 'user', content: 'hi' }], contents: [{ parts: [{ text: 'hi' }] }] })).toEqual([]);
      expect(codecFor(format).mediaUrlsOf({})).toEqual([]);
    }
  });
});
