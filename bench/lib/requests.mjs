// The request each bench scenario sends, per client format (shared by run.mjs and profile.mjs).
const json = { 'content-type': 'application/json' };

/** Strings a correct answer contains, checked during warm-up. */
const expectFor = (format, stream, fullText) =>
  stream ? { 'openai-chat': ['[DONE]'], 'openai-responses': ['response.completed'], anthropic: ['message_stop'], gemini: ['STOP'] }[format] : [fullText.slice(0, 48)];

/** { path, headers, body, expect } for one request in `format`, authenticated with `key` when given. */
export const requestFor = (format, model, stream, key, fullText = '') => {
  const expect = expectFor(format, stream, fullText);
  switch (format) {
    case 'openai-chat':
      return {
        path: '/v1/chat/completions',
        headers: { ...json, ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ model, max_tokens: 256, messages: [{ role: 'user', content: 'hi' }], stream }),
        expect,
      };
    case 'openai-responses':
      return { path: '/v1/responses', headers: { ...json, ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify({ model, input: 'hi', stream }), expect };
    case 'anthropic':
      return {
        path: '/v1/messages',
        headers: { ...json, 'anthropic-version': '2023-06-01', ...(key ? { 'x-api-key': key } : {}) },
        body: JSON.stringify({ model, max_tokens: 256, messages: [{ role: 'user', content: 'hi' }], stream }),
        expect,
      };
    case 'gemini':
      return {
        path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        headers: { ...json, ...(key ? { 'x-goog-api-key': key } : {}) },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
        expect,
      };
  }
};
