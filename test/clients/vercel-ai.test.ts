/**
 * The Vercel AI SDK (`ai` v7) against the relay, over every pair of client provider (OpenAI Chat,
 * OpenAI Responses, Anthropic, Google) and upstream format. Each test drives the SDK as a user
 * would (baseURL = the relay, the suite's relay key, no retries) and checks what the SDK surfaces:
 * text, finish reasons, usage equal to what the fake upstream reported, a two-step tool round trip
 * whose result reaches the upstream, structured output, reasoning state, and upstream errors as
 * APICallError. The fakes are this file's own (vercel-ai-fakes.ts), so a test can script the next
 * upstream answer and read the exact request and response of each exchange.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateText, isStepCount, jsonSchema, Output, streamText, tool, type LanguageModel } from 'ai';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_MAX_RETRIES } from '../../src/routing/provider';
import { FAKE_GEMINI_SIGNATURE } from '../fakes/gemini-upstream';
import { HAPPY_TEXT, reportedUsage, SCRIPTED, startVercelFakes, upstreamsFor, VERCEL_UPSTREAMS, type Exchange, type UpstreamFormat, type VercelFakes } from './vercel-ai-fakes';

/** The fake set of the suites that run one after the other (models vai-chat, vai-claude, …). */
let fakes: VercelFakes;
/** One fake set per client provider for the main matrix, whose four client suites run concurrently. */
const clientFakes = new Map<string, VercelFakes>();
const CLIENT_PREFIXES = ['vai-oc', 'vai-or', 'vai-an', 'vai-go'];
beforeAll(async () => {
  fakes = await startVercelFakes(inject('relayUrl'), inject('relayKey'));
  for (const prefix of CLIENT_PREFIXES) clientFakes.set(prefix, await startVercelFakes(inject('relayUrl'), inject('relayKey'), prefix));
});
afterAll(async () => {
  await fakes?.close();
  for (const set of clientFakes.values()) await set.close();
});

const relayUrl = inject('relayUrl');
const apiKey = inject('relayKey');
const openai = createOpenAI({ apiKey, baseURL: `${relayUrl}/v1` });
const anthropic = createAnthropic({ apiKey, baseURL: `${relayUrl}/v1` });
const google = createGoogleGenerativeAI({ apiKey, baseURL: `${relayUrl}/v1beta` });

type ClientName = 'openai chat' | 'openai responses' | 'anthropic' | 'google';
interface Client {
  name: ClientName;
  /** Its fake set (CLIENT_PREFIXES). */
  prefix: string;
  model: (id: string) => LanguageModel;
  /** The SDK's rawFinishReason for a text answer and for a tool call (the client wire format's own value). */
  rawStop: string | undefined;
  rawToolCalls: string | undefined;
}

const CLIENTS: Client[] = [
  { name: 'openai chat', prefix: 'vai-oc', model: (id) => openai.chat(id), rawStop: 'stop', rawToolCalls: 'tool_calls' },
  // Responses has no finish reason on the wire: the SDK derives it (raw stays undefined when completed).
  { name: 'openai responses', prefix: 'vai-or', model: (id) => openai.responses(id), rawStop: undefined, rawToolCalls: undefined },
  { name: 'anthropic', prefix: 'vai-an', model: (id) => anthropic(id), rawStop: 'end_turn', rawToolCalls: 'tool_use' },
  // Gemini says STOP for a function call too; the SDK turns it into 'tool-calls' itself.
  { name: 'google', prefix: 'vai-go', model: (id) => google(id), rawStop: 'STOP', rawToolCalls: 'STOP' },
];


type ProviderOptions = NonNullable<Parameters<typeof generateText>[0]['providerOptions']>;

const common = { maxRetries: 0, maxOutputTokens: 256 } as const;

/** A minimal PDF header (the fakes do not parse it). */
const PDF_BASE64 = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n').toString('base64');

/** A 1×1 PNG. */
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** The tool arguments every fake's call carries for `{city: string}` (the Gemini call is scripted to match). */
const CITY = 'example';
const FORECAST = '18C and sunny';

const zodWeather = () => {
  const seen: string[] = [];
  const weather = tool({
    description: 'Current weather for a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      seen.push(city);
      return { city, forecast: FORECAST };
    },
  });
  return { seen, tools: { get_weather: weather } };
};

const jsonSchemaWeather = () => {
  const seen: string[] = [];
  const weather = tool({
    description: 'Current weather for a city',
    inputSchema: jsonSchema<{ city: string }>({
      type: 'object',
      properties: { city: { type: 'string', description: 'City name' } },
      required: ['city'],
      additionalProperties: false,
    }),
    execute: async ({ city }) => {
      seen.push(city);
      return `${FORECAST} in ${city}`;
    },
  });
  return { seen, tools: { get_weather: weather } };
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const textOfContent = (content: unknown): string =>
  typeof content === 'string' ? content : asArray(content).map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : JSON.stringify(part))).join('');

/** The tool results a request carried to the upstream, in that upstream's own wire shape. */
const toolResultsSent = (format: UpstreamFormat, body: Json): Array<{ id?: string; name?: string; text: string }> => {
  switch (format) {
    case 'openai-chat':
      return asArray(body.messages)
        .filter((message): message is Json => isObject(message) && message.role === 'tool')
        .map((message) => ({ id: String(message.tool_call_id), text: textOfContent(message.content) }));
    case 'openai-responses':
      return asArray(body.input)
        .filter((item): item is Json => isObject(item) && item.type === 'function_call_output')
        .map((item) => ({ id: String(item.call_id), text: textOfContent(item.output) }));
    case 'anthropic':
      return asArray(body.messages)
        .flatMap((message) => (isObject(message) ? asArray(message.content) : []))
        .filter((block): block is Json => isObject(block) && block.type === 'tool_result')
        .map((block) => ({ id: String(block.tool_use_id), text: textOfContent(block.content) }));
    case 'gemini':
      return asArray(body.contents)
        .flatMap((content) => (isObject(content) ? asArray(content.parts) : []))
        .filter((part): part is Json => isObject(part) && isObject(part.functionResponse))
        .map((part) => {
          const response = part.functionResponse as Json;
          return { ...(typeof response.id === 'string' ? { id: response.id } : {}), name: String(response.name), text: JSON.stringify(response.response) };
        });
  }
};

/** The text of every system instruction a request carried, in the upstream's own field. */
const systemSent = (format: UpstreamFormat, body: Json): string => {
  switch (format) {
    case 'openai-chat':
      return asArray(body.messages)
        .filter((message): message is Json => isObject(message) && (message.role === 'system' || message.role === 'developer'))
        .map((message) => textOfContent(message.content))
        .join('\n');
    case 'openai-responses':
      return [
        typeof body.instructions === 'string' ? body.instructions : '',
        ...asArray(body.input)
          .filter((item): item is Json => isObject(item) && (item.role === 'system' || item.role === 'developer'))
          .map((item) => textOfContent(item.content)),
      ].join('\n');
    case 'anthropic':
      return textOfContent(body.system);
    case 'gemini':
      return isObject(body.systemInstruction) ? textOfContent(body.systemInstruction.parts) : '';
  }
};

/** The output token limit a request carried, in the upstream's own field. */
const maxTokensSent = (format: UpstreamFormat, body: Json): unknown => {
  switch (format) {
    case 'openai-chat':
      return body.max_completion_tokens ?? body.max_tokens;
    case 'openai-responses':
      return body.max_output_tokens;
    case 'anthropic':
      return body.max_tokens;
    case 'gemini':
      return isObject(body.generationConfig) ? body.generationConfig.maxOutputTokens : undefined;
  }
};

/** The assistant (model) texts of a request's history, in the upstream's own shape. */
const assistantTextsSent = (format: UpstreamFormat, body: Json): string[] => {
  switch (format) {
    case 'openai-chat':
      return asArray(body.messages)
        .filter((message): message is Json => isObject(message) && message.role === 'assistant')
        .map((message) => textOfContent(message.content));
    case 'openai-responses':
      return asArray(body.input)
        .filter((item): item is Json => isObject(item) && item.role === 'assistant')
        .map((item) => textOfContent(item.content));
    case 'anthropic':
      return asArray(body.messages)
        .filter((message): message is Json => isObject(message) && message.role === 'assistant')
        .map((message) => (typeof message.content === 'string' ? message.content : asArray(message.content).filter((block) => isObject(block) && block.type === 'text').map(textOfContent1).join('')));
    case 'gemini':
      return asArray(body.contents)
        .filter((content): content is Json => isObject(content) && content.role === 'model')
        .map((content) => asArray(content.parts).filter((part) => isObject(part) && typeof part.text === 'string' && part.thought !== true).map(textOfContent1).join(''));
  }
};
const textOfContent1 = (part: unknown): string => (isObject(part) && typeof part.text === 'string' ? part.text : '');

/** How a request forced the tool choice, in the upstream's own field: a tool name, 'any' (some tool), or undefined. */
const forcedChoiceSent = (format: UpstreamFormat, body: Json): string | undefined => {
  const choice = body.tool_choice;
  switch (format) {
    case 'openai-chat':
      if (choice === 'required') return 'any';
      return isObject(choice) && isObject(choice.function) ? String(choice.function.name) : undefined;
    case 'openai-responses':
      if (choice === 'required') return 'any';
      return isObject(choice) && choice.type === 'function' ? String(choice.name) : undefined;
    case 'anthropic':
      if (isObject(choice) && choice.type === 'any') return 'any';
      return isObject(choice) && choice.type === 'tool' ? String(choice.name) : undefined;
    case 'gemini': {
      const config = isObject(body.toolConfig) && isObject(body.toolConfig.functionCallingConfig) ? body.toolConfig.functionCallingConfig : {};
      if (config.mode !== 'ANY') return undefined;
      const names = asArray(config.allowedFunctionNames);
      return names.length === 1 ? String(names[0]) : 'any';
    }
  }
};

/** The id of the tool call the upstream answered with (none for Gemini, whose calls carry no id here). */
const callIdAnswered = (format: UpstreamFormat, exchange: Exchange): string | undefined => {
  if (format === 'gemini') return undefined;
  const match = /"((?:call|toolu)_fake\d+)"/.exec(exchange.responseText);
  return match?.[1];
};

/** Makes the next Gemini answer a call of get_weather with arguments (the Gemini fake's own call has `{}`). */
const prepareToolCall = (set: VercelFakes, format: UpstreamFormat, stream: boolean): void => {
  if (format === 'gemini') set.geminiCallNext('get_weather', { city: CITY }, stream);
};

const expectUsageAsReported = (format: UpstreamFormat, usage: { inputTokens: number | undefined; outputTokens: number | undefined }, exchange: Exchange) => {
  const reported = reportedUsage(format, exchange.responseText);
  expect(reported.input).toBeGreaterThan(0);
  expect(reported.output).toBeGreaterThan(0);
  expect({ inputTokens: usage.inputTokens, outputTokens: usage.outputTokens }).toEqual({ inputTokens: reported.input, outputTokens: reported.output });
};

/** Runs a streamText result to its end, returning the part types seen and any error parts. */
const drain = async (fullStream: AsyncIterable<{ type: string; error?: unknown; delta?: unknown; id?: unknown }>) => {
  const types: string[] = [];
  const errors: unknown[] = [];
  /** Tool input deltas joined per tool call id. */
  const toolInput = new Map<string, string>();
  for await (const part of fullStream) {
    types.push(part.type);
    if (part.type === 'error') errors.push(part.error);
    if (part.type === 'tool-input-delta' && typeof part.id === 'string' && typeof part.delta === 'string') {
      toolInput.set(part.id, (toolInput.get(part.id) ?? '') + part.delta);
    }
  }
  return { types, errors, toolInput };
};

// The four client suites run concurrently (each on its own fake set); the tests inside one run in order,
// since each scripts its fakes' next answer and then reads their last exchange.
describe.concurrent.each(CLIENTS)('Vercel AI SDK, $name provider', (client) => {
  describe.each(upstreamsFor(client.prefix))('→ $format upstream', { concurrent: false }, ({ format, model: modelId }) => {
    const model = client.model(modelId);
    let fakes!: VercelFakes;
    beforeAll(() => {
      const set = clientFakes.get(client.prefix);
      if (set === undefined) throw new Error(`no fake set for ${client.prefix}`);
      fakes = set;
    });

    it('generateText: text, finish reason and the upstream usage', async () => {
      const result = await generateText({ ...common, model, system: 'Be brief.', prompt: 'Say hello' });
      expect(result.text).toBe(HAPPY_TEXT[format]);
      expect(result.finishReason).toBe('stop');
      expect(result.rawFinishReason).toBe(client.rawStop);
      expect(result.response.modelId).toBe(modelId);
      const exchange = await fakes.last(format);
      expect(exchange.body.stream ?? false).toBe(false);
      expect(systemSent(format, exchange.body)).toContain('Be brief.');
      expect(maxTokensSent(format, exchange.body)).toBe(256);
      expectUsageAsReported(format, result.usage, exchange);
      expect(result.usage.totalTokens).toBe((result.usage.inputTokens ?? 0) + (result.usage.outputTokens ?? 0));
    });

    it('streamText: text deltas, finish reason and the upstream usage', async () => {
      const result = streamText({ ...common, model, system: 'Be brief.', prompt: 'Say hello' });
      const deltas: string[] = [];
      const errors: unknown[] = [];
      for await (const part of result.fullStream) {
        if (part.type === 'text-delta') deltas.push(part.text);
        if (part.type === 'error') errors.push(part.error);
      }
      expect(errors).toEqual([]);
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join('')).toBe(HAPPY_TEXT[format]);
      expect(await result.text).toBe(HAPPY_TEXT[format]);
      expect(await result.finishReason).toBe('stop');
      expect(await result.rawFinishReason).toBe(client.rawStop);
      const exchange = await fakes.last(format);
      expect(format === 'gemini' ? exchange.search : exchange.body.stream).toBe(format === 'gemini' ? '?alt=sse' : true);
      expectUsageAsReported(format, await result.usage, exchange);
      expectUsageAsReported(format, await result.totalUsage, exchange);
    });

    // With the Anthropic fake ("Let me check." before its tool_use), step two of a Responses-client loop
    // sends that text item back as an item_reference, which the relay resolves from what it stored.

    it('generateText: a zod tool is called, run, and its result goes back in step two', async () => {
      const { seen, tools } = zodWeather();
      const before = fakes.exchanges[format].length;
      prepareToolCall(fakes, format, false);
      const result = await generateText({ ...common, model, tools, prompt: 'Weather in Paris?', stopWhen: isStepCount(2) });

      expect(result.steps).toHaveLength(2);
      const [first, second] = result.steps;
      expect(first?.finishReason).toBe('tool-calls');
      expect(first?.rawFinishReason).toBe(client.rawToolCalls);
      expect(first?.toolCalls).toHaveLength(1);
      expect(first?.toolCalls[0]).toMatchObject({ toolName: 'get_weather', input: { city: CITY } });
      expect(seen).toEqual([CITY]);
      expect(first?.toolResults[0]).toMatchObject({ toolName: 'get_weather', output: { city: CITY, forecast: FORECAST } });
      expect(second?.finishReason).toBe('stop');
      expect(result.text).toBe(HAPPY_TEXT[format]);

      const exchanges = fakes.exchanges[format].slice(before);
      expect(exchanges).toHaveLength(2);
      const [call, answer] = exchanges as [Exchange, Exchange];
      const results = toolResultsSent(format, answer.body);
      expect(results).toHaveLength(1);
      expect(results[0]?.text).toContain(FORECAST);
      const id = callIdAnswered(format, call);
      if (id !== undefined) expect(results[0]?.id).toBe(id);
      else expect(results[0]?.name).toBe('get_weather');
      expect(first?.toolCalls[0]?.toolCallId).toMatch(/\S/);

      await fakes.last(format);
      expectUsageAsReported(format, first?.usage ?? { inputTokens: 0, outputTokens: 0 }, call);
      expectUsageAsReported(format, second?.usage ?? { inputTokens: 0, outputTokens: 0 }, answer);
      expect(result.totalUsage.inputTokens).toBe(reportedUsage(format, call.responseText).input + reportedUsage(format, answer.responseText).input);
    });

    it('streamText: a jsonSchema tool is called from the stream, run, and its result goes back in step two', async () => {
      const { seen, tools } = jsonSchemaWeather();
      const before = fakes.exchanges[format].length;
      prepareToolCall(fakes, format, true);
      const result = streamText({ ...common, model, tools, prompt: 'Weather in Paris?', stopWhen: isStepCount(2), onError: () => undefined });
      const { types, errors, toolInput } = await drain(result.fullStream);
      expect(errors).toEqual([]);
      expect(types).toEqual(expect.arrayContaining(['tool-input-start', 'tool-input-delta', 'tool-call', 'tool-result', 'text-delta']));
      expect([...toolInput.values()].map((json) => JSON.parse(json) as unknown)).toEqual([{ city: CITY }]);
      expect(types.filter((type) => type === 'finish-step')).toHaveLength(2);

      const steps = await result.steps;
      expect(steps).toHaveLength(2);
      expect(steps[0]?.finishReason).toBe('tool-calls');
      expect(steps[0]?.rawFinishReason).toBe(client.rawToolCalls);
      expect(steps[0]?.toolCalls[0]).toMatchObject({ toolName: 'get_weather', input: { city: CITY } });
      expect(seen).toEqual([CITY]);
      expect(await result.finishReason).toBe('stop');
      expect(await result.text).toBe(HAPPY_TEXT[format]);

      const exchanges = fakes.exchanges[format].slice(before);
      expect(exchanges).toHaveLength(2);
      const [call, answer] = exchanges as [Exchange, Exchange];
      const results = toolResultsSent(format, answer.body);
      expect(results).toHaveLength(1);
      expect(results[0]?.text).toContain(`${FORECAST} in ${CITY}`);
      const id = callIdAnswered(format, call);
      if (id !== undefined) expect(results[0]?.id).toBe(id);
      else expect(results[0]?.name).toBe('get_weather');

      await fakes.last(format);
      expectUsageAsReported(format, steps[0]?.usage ?? { inputTokens: 0, outputTokens: 0 }, call);
      expectUsageAsReported(format, steps[1]?.usage ?? { inputTokens: 0, outputTokens: 0 }, answer);
      const total = await result.totalUsage;
      expect(total.outputTokens).toBe(reportedUsage(format, call.responseText).output + reportedUsage(format, answer.responseText).output);
    });

    // @ai-sdk/openai's Responses provider defaults to `store: true` (openai-responses-language-model.ts:
    // `store: openaiOptions?.store ?? true`) and then replaces every earlier assistant text that carries
    // an item id with `{type:"item_reference", id:"msg_…"}` (convert-to-openai-responses-input.ts, "item
    // references reduce the payload size"). For other upstream formats the relay resolves the reference
    // from the items it stored when it answered (src/conversations/responses-store.ts).
    const referencesStoredItems = client.name === 'openai responses';

    it('generateText: the previous answer goes back as an assistant turn in a multi-turn conversation', async () => {
      const first = await generateText({ ...common, model, prompt: 'Say hello' });
      const answered = await fakes.last(format);
      const second = await generateText({
        ...common,
        model,
        messages: [{ role: 'user', content: 'Say hello' }, ...first.response.messages, { role: 'user', content: 'And once more?' }],
      });
      expect(second.text).toBe(HAPPY_TEXT[format]);
      const sent = await fakes.last(format);
      if (referencesStoredItems && format === 'openai-responses') {
        // Same format: the reference goes through and names the item the upstream itself answered.
        const id = /"id":"(msg_fake\d+)"/.exec(answered.responseText)?.[1];
        expect(asArray(sent.body.input)).toContainEqual({ type: 'item_reference', id });
        return;
      }
      expect(assistantTextsSent(format, sent.body)).toEqual([HAPPY_TEXT[format]]);
    });

    it('toolChoice (a named tool, then required) reaches the upstream as its forced choice', async () => {
      const { tools } = zodWeather();
      prepareToolCall(fakes, format, false);
      const named = await generateText({ ...common, model, tools, toolChoice: { type: 'tool', toolName: 'get_weather' }, prompt: 'Weather in Paris?' });
      expect(named.toolCalls[0]).toMatchObject({ toolName: 'get_weather', input: { city: CITY } });
      expect(forcedChoiceSent(format, (await fakes.last(format)).body)).toBe('get_weather');

      prepareToolCall(fakes, format, false);
      const required = await generateText({ ...common, model, tools, toolChoice: 'required', prompt: 'Weather in Paris?' });
      expect(required.toolCalls[0]).toMatchObject({ toolName: 'get_weather' });
      // With a single tool, "any tool" and "this tool" mean the same; either wire form is right.
      expect(forcedChoiceSent(format, (await fakes.last(format)).body)).toMatch(/^(any|get_weather)$/);
    });

    it.each([
      { finish: 'length', stream: false },
      { finish: 'length', stream: true },
      { finish: 'content-filter', stream: false },
      { finish: 'content-filter', stream: true },
    ] as const)('finish reason $finish (stream: $stream), with cache reads and reasoning in the usage details', async ({ finish, stream }) => {
      fakes.textNext(format, 'Hello, this answer was cut', stream, { finish, cacheRead: 4, reasoning: 3 });
      const outcome = stream
        ? await (async () => {
            const result = streamText({ ...common, model, prompt: 'Say hello' });
            return { text: await result.text, finishReason: await result.finishReason, usage: await result.usage };
          })()
        : await generateText({ ...common, model, prompt: 'Say hello' });
      expect(outcome.text).toBe('Hello, this answer was cut');
      expect(outcome.finishReason).toBe(finish);
      expect(outcome.usage).toMatchObject({ inputTokens: SCRIPTED.input, outputTokens: SCRIPTED.output });
      expect(outcome.usage.inputTokenDetails).toMatchObject({ cacheReadTokens: 4, noCacheTokens: SCRIPTED.input - 4 });
      // Anthropic usage has no reasoning count, on either side.
      if (format !== 'anthropic' && client.name !== 'anthropic') expect(outcome.usage.outputTokenDetails.reasoningTokens).toBe(3);
    });

    it('streamText: an upstream stream cut before its end is an error in the SDK stream, not a clean stop', async () => {
      fakes.cutNext(format);
      const result = streamText({ ...common, model, prompt: 'Say hello', onError: () => undefined });
      const { types, errors } = await drain(result.fullStream);
      expect(types).toContain('text-delta');
      expect(errors.length).toBeGreaterThan(0);
      expect(await result.finishReason).not.toBe('stop');
    });


    it.each([false, true])('parallel tool calls (stream: %s): both run and both results go back under their ids', async (stream) => {
      const { seen, tools } = zodWeather();
      fakes.callsNext(
        format,
        [
          { id: 'call_par_a', name: 'get_weather', args: { city: 'Paris' } },
          { id: 'call_par_b', name: 'get_weather', args: { city: 'London' } },
        ],
        stream,
      );
      const before = fakes.exchanges[format].length;
      const settings = { ...common, model, tools, prompt: 'Weather in Paris and London?', stopWhen: isStepCount(2), onError: () => undefined };
      const steps = stream
        ? await (async () => {
            const result = streamText(settings);
            const { errors } = await drain(result.fullStream);
            expect(errors).toEqual([]);
            return result.steps;
          })()
        : (await generateText(settings)).steps;
      expect(steps).toHaveLength(2);
      const calls = steps[0]?.toolCalls ?? [];
      expect(calls.map((call) => call.input)).toEqual([{ city: 'Paris' }, { city: 'London' }]);
      expect(new Set(calls.map((call) => call.toolCallId)).size).toBe(2);
      expect(seen.sort()).toEqual(['London', 'Paris']);
      const [, answer] = fakes.exchanges[format].slice(before) as [Exchange, Exchange];
      const results = toolResultsSent(format, answer.body);
      expect(results).toHaveLength(2);
      if (format !== 'gemini') expect(results.map((result) => result.id)).toEqual(['call_par_a', 'call_par_b']);
      expect(results[0]?.text).toContain('Paris');
      expect(results[1]?.text).toContain('London');
    });

    it('a tool that throws: its error text goes back as the tool result and the loop goes on', async () => {
      const failing = tool({
        description: 'Current weather for a city',
        inputSchema: z.object({ city: z.string() }),
        execute: async (): Promise<string> => {
          throw new Error('weather service unreachable');
        },
      });
      prepareToolCall(fakes, format, false);
      const before = fakes.exchanges[format].length;
      const result = await generateText({ ...common, model, tools: { get_weather: failing }, prompt: 'Weather in Paris?', stopWhen: isStepCount(2) });
      expect(result.steps).toHaveLength(2);
      expect(result.steps[0]?.content.some((part) => part.type === 'tool-error')).toBe(true);
      expect(result.text).toBe(HAPPY_TEXT[format]);
      const [, answer] = fakes.exchanges[format].slice(before) as [Exchange, Exchange];
      expect(toolResultsSent(format, answer.body)[0]?.text).toContain('weather service unreachable');
    });

    // With the Gemini fake's own call (a functionCall with a thoughtSignature) the Responses client gets a
    // reasoning item `rs_…` (encrypted_content prx1:gem:fc:…) and, store defaulting to true, sends it back
    // as `{type:"item_reference", id:"rs_…"}`; the relay puts the stored item in its place.

    it.each([false, true])('a tool without parameters (stream: %s): called with {} and its result goes back', async (stream) => {
      const { calls, tools } = clockTools();
      const before = fakes.exchanges[format].length;
      const settings = { ...common, model, tools, prompt: 'What time is it?', stopWhen: isStepCount(2), onError: () => undefined };
      const outcome = stream
        ? await (async () => {
            const result = streamText(settings);
            const { errors } = await drain(result.fullStream);
            expect(errors).toEqual([]);
            return { steps: await result.steps, text: await result.text };
          })()
        : await generateText(settings);
      expect(outcome.steps).toHaveLength(2);
      expect(outcome.steps[0]?.toolCalls[0]).toMatchObject({ toolName: 'get_time', input: {} });
      expect(calls).toEqual([{}]);
      expect(outcome.text).toBe(HAPPY_TEXT[format]);
      const [, answer] = fakes.exchanges[format].slice(before) as [Exchange, Exchange];
      expect(toolResultsSent(format, answer.body)[0]?.text).toContain('12:00');
    });

    it('a PDF file part reaches the upstream as base64 with its media type', async () => {
      const result = await generateText({
        ...common,
        model,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Summarise this file.' }, { type: 'file', data: Buffer.from(PDF_BASE64, 'base64'), mediaType: 'application/pdf', filename: 'tiny.pdf' }] }],
      });
      expect(result.text).toBe(HAPPY_TEXT[format]);
      const sent = JSON.stringify((await fakes.last(format)).body);
      expect(sent).toContain(PDF_BASE64);
      expect(sent).toContain('application/pdf');
    });

    it('an image part reaches the upstream as base64 with its media type', async () => {
      const result = await generateText({
        ...common,
        model,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image', image: Buffer.from(PNG_BASE64, 'base64'), mediaType: 'image/png' }] }],
      });
      expect(result.text).toBe(HAPPY_TEXT[format]);
      const sent = JSON.stringify((await fakes.last(format)).body);
      expect(sent).toContain(PNG_BASE64);
      expect(sent).toContain('image/png');
      expect(sent).toContain('What is in this picture?');
    });

    // The Responses API has no stop sequences: the SDK's Responses provider drops them (with a warning),
    // and the relay answers 400 when another client asks a Responses upstream for them (documented in
    // src/protocols/README.md, "B … 400: stop sequences"), rather than silently changing the answer.
    const stopRefused = format === 'openai-responses' && client.name !== 'openai responses';

    it(`temperature and stop sequences reach the upstream in its own fields${stopRefused ? ' (stop sequences: a clear 400)' : ''}`, async () => {
      const settings = { ...common, model, temperature: 0.3, stopSequences: ['END'], prompt: 'Say hello' };
      if (stopRefused) {
        const error = await generateText(settings).then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(APICallError.isInstance(error) && error.statusCode).toBe(400);
        expect(String((error as Error).message)).toContain('stop sequences cannot be sent to an openai-responses upstream');
        const result = await generateText({ ...settings, stopSequences: undefined });
        expect(result.text).toBe(HAPPY_TEXT[format]);
        expect((await fakes.last(format)).body.temperature).toBe(0.3);
        return;
      }
      const result = await generateText(settings);
      expect(result.text).toBe(HAPPY_TEXT[format]);
      const { body } = await fakes.last(format);
      const config = isObject(body.generationConfig) ? body.generationConfig : {};
      expect(format === 'gemini' ? config.temperature : body.temperature).toBe(0.3);
      if (client.name === 'openai responses' || format === 'openai-responses') return;
      const stop = { 'openai-chat': body.stop, anthropic: body.stop_sequences, gemini: config.stopSequences }[format];
      expect([stop].flat()).toEqual(['END']);
    });

    it('an upstream 429 with retry-after is an APICallError 429 that keeps the retry hint', async () => {
      const limited = `vai-429-${client.name.replace(/\s+/g, '-')}-${format}`;
      await fakes.addModel(format, limited);
      fakes.failNext(format, 429, 'scripted rate limit', { 'retry-after': '7' });
      const error = await generateText({ ...common, model: client.model(limited), prompt: 'Say hello' }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(APICallError.isInstance(error)).toBe(true);
      if (!APICallError.isInstance(error)) return;
      expect(error.statusCode).toBe(429);
      expect(error.isRetryable).toBe(true);
      expect(error.message).toContain('scripted rate limit');
      expect(error.responseHeaders?.['retry-after']).toBe('7');
    });

    it('streamText: an in-stream upstream error event reaches the SDK stream with the upstream message', async () => {
      fakes.streamErrorNext(format, 'scripted stream failure');
      const result = streamText({ ...common, model, prompt: 'Say hello', onError: () => undefined });
      const { types, errors } = await drain(result.fullStream);
      expect(types).toContain('text-delta');
      expect(errors).toHaveLength(1);
      const error = errors[0];
      expect(error instanceof Error ? error.message : JSON.stringify(error)).toContain('scripted stream failure');
      expect(await result.finishReason).toBe('error');
    });

    it('generateText: an upstream 400 is an APICallError with status 400 and the upstream message', async () => {
      fakes.failNext(format, 400, 'scripted bad request: temperature out of range');
      const error = await generateText({ ...common, model, prompt: 'Say hello' }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(APICallError.isInstance(error)).toBe(true);
      if (!APICallError.isInstance(error)) return;
      expect(error.statusCode).toBe(400);
      expect(error.isRetryable).toBe(false);
      expect(error.message).toContain('scripted bad request: temperature out of range');
      expect((await fakes.last(format)).status).toBe(400);
    });

    // Anthropic's own overload status is 529 (overloaded_error); the relay documents that mapping for
    // translated errors (src/protocols/README.md, Anthropic errors). Passthrough keeps the upstream's bytes.
    const overloadStatus = client.name === 'anthropic' && format !== 'anthropic' ? 529 : 503;

    it(`streamText: an upstream 503 is an APICallError with status ${overloadStatus} in the stream`, async () => {
      // The relay retries a 503 on the same provider (DEFAULT_MAX_RETRIES) before it answers it: every attempt fails.
      for (let attempt = 0; attempt <= DEFAULT_MAX_RETRIES; attempt++) fakes.failNext(format, 503, 'scripted overload');
      const caught: unknown[] = [];
      const result = streamText({ ...common, model, prompt: 'Say hello', onError: ({ error }) => void caught.push(error) });
      const { errors } = await drain(result.fullStream);
      expect(errors).toHaveLength(1);
      const error = errors[0];
      expect(caught).toEqual([error]);
      expect(APICallError.isInstance(error)).toBe(true);
      if (!APICallError.isInstance(error)) return;
      expect(error.statusCode).toBe(overloadStatus);
      expect(error.isRetryable).toBe(true);
      expect(error.message).toContain('scripted overload');
      expect((await fakes.last(format)).status).toBe(503);
    });
  });
});

/** What each upstream received as the structured-output request, in its own field. */
const schemaSent = (format: UpstreamFormat, body: Json): unknown => {
  switch (format) {
    case 'openai-chat': {
      const responseFormat = isObject(body.response_format) ? body.response_format : {};
      expect(responseFormat.type).toBe('json_schema');
      return isObject(responseFormat.json_schema) ? responseFormat.json_schema.schema : undefined;
    }
    case 'openai-responses': {
      const format = isObject(body.text) && isObject(body.text.format) ? body.text.format : {};
      expect(format.type).toBe('json_schema');
      return format.schema;
    }
    case 'anthropic': {
      const format = isObject(body.output_config) && isObject(body.output_config.format) ? body.output_config.format : {};
      expect(format.type).toBe('json_schema');
      return format.schema;
    }
    case 'gemini': {
      const config = isObject(body.generationConfig) ? body.generationConfig : {};
      expect(config.responseMimeType).toBe('application/json');
      return config.responseJsonSchema ?? config.responseSchema;
    }
  }
};

const CITY_WEATHER = z.object({ city: z.string(), temperature: z.number(), sunny: z.boolean() });
const OBJECT = { city: 'Paris', temperature: 18, sunny: true };

interface StructuredClient {
  name: string;
  model: (id: string) => LanguageModel;
  providerOptions?: Record<string, Record<string, string>>;
}

const STRUCTURED_CLIENTS: StructuredClient[] = [
  { name: 'openai chat', model: (id) => openai.chat(id) },
  { name: 'openai responses', model: (id) => openai.responses(id) },
  { name: 'anthropic (outputFormat: output_config.format)', model: (id) => anthropic(id), providerOptions: { anthropic: { structuredOutputMode: 'outputFormat' } } },
  { name: 'google', model: (id) => google(id) },
];

describe.each(STRUCTURED_CLIENTS)('Vercel AI SDK structured output, $name provider', (client) => {
  describe.each(VERCEL_UPSTREAMS)('→ $format upstream', ({ format, model: modelId }) => {
    const model = client.model(modelId);
    const options = { ...common, model, ...(client.providerOptions ? { providerOptions: client.providerOptions } : {}) };

    it('generateText with Output.object: the JSON schema reaches the upstream and the object comes back', async () => {
      fakes.textNext(format, JSON.stringify(OBJECT), false);
      const result = await generateText({ ...options, output: Output.object({ schema: CITY_WEATHER }), prompt: 'Weather in Paris as JSON' });
      expect(result.output).toEqual(OBJECT);
      expect(result.finishReason).toBe('stop');
      const exchange = await fakes.last(format);
      const schema = schemaSent(format, exchange.body);
      expect(schema).toMatchObject({ type: expect.stringMatching(/^object$/i), properties: { city: {}, temperature: {}, sunny: {} } });
      expect(result.usage).toMatchObject({ inputTokens: SCRIPTED.input, outputTokens: SCRIPTED.output });
    });

    it('streamText with Output.object: partial objects stream and the final object parses', async () => {
      fakes.textNext(format, JSON.stringify(OBJECT), true);
      const result = streamText({ ...options, output: Output.object({ schema: CITY_WEATHER }), prompt: 'Weather in Paris as JSON' });
      const partials: unknown[] = [];
      for await (const partial of result.partialOutputStream) partials.push(partial);
      expect(partials.length).toBeGreaterThan(0);
      expect(await result.output).toEqual(OBJECT);
      const exchange = await fakes.last(format);
      expect(schemaSent(format, exchange.body)).toMatchObject({ properties: { city: {}, temperature: {}, sunny: {} } });
      expect(await result.usage).toMatchObject({ inputTokens: SCRIPTED.input, outputTokens: SCRIPTED.output });
    });
  });
});

describe.each(VERCEL_UPSTREAMS)('Vercel AI SDK structured output, anthropic provider (jsonTool: a forced "json" tool) → $format upstream', ({ format, model: modelId }) => {
  const model = anthropic(modelId);
  const providerOptions = { anthropic: { structuredOutputMode: 'jsonTool' } };

  it.each([false, true])('Output.object (stream: %s): the forced json tool reaches the upstream as its forced choice and its input is the object', async (stream) => {
    if (format === 'gemini') fakes.geminiCallNext('json', OBJECT, stream);
    const settings = { ...common, model, providerOptions, output: Output.object({ schema: CITY_WEATHER }), prompt: 'Weather in Paris as JSON' };
    const outcome = stream
      ? await (async () => {
          const result = streamText(settings);
          return { output: await result.output, finishReason: await result.finishReason };
        })()
      : await generateText(settings);
    // The non-Gemini fakes fill required properties with example values of their type.
    expect(outcome.output).toEqual(format === 'gemini' ? OBJECT : { city: 'example', temperature: 1, sunny: true });
    expect(outcome.finishReason).toBe('stop');
    const exchange = await fakes.last(format);
    expect(JSON.stringify(exchange.body.tools)).toContain('"json"');
    // The SDK forces "any tool" with `json` as the only tool (tool_choice {type:"any"}): same meaning.
    expect(forcedChoiceSent(format, exchange.body)).toMatch(/^(any|json)$/);
  });
});

/** A tool without parameters, so the fakes' own calls (Gemini's with `{}` and its thought signature) are valid. */
const clockTools = () => {
  const calls: unknown[] = [];
  return {
    calls,
    tools: {
      get_time: tool({
        description: 'The current time',
        inputSchema: z.object({}),
        execute: async (input) => {
          calls.push(input);
          return '12:00';
        },
      }),
    },
  };
};

/** The model turn of a follow-up request, in the upstream's own shape. */
const modelTurnSent = (format: 'anthropic' | 'gemini', body: Json): Json[] => {
  const turns = format === 'anthropic' ? asArray(body.messages) : asArray(body.contents);
  const turn = turns.find((entry) => isObject(entry) && entry.role === (format === 'anthropic' ? 'assistant' : 'model'));
  return isObject(turn) ? asArray(format === 'anthropic' ? turn.content : turn.parts).filter(isObject) : [];
};

interface ReasoningCase {
  client: ClientName;
  model: (id: string) => LanguageModel;
  providerOptions: ProviderOptions;
}

const REASONING_CLIENTS: ReasoningCase[] = [
  { client: 'anthropic', model: (id) => anthropic(id), providerOptions: { anthropic: { thinking: { type: 'enabled', budgetTokens: 1024 } } } },
  {
    client: 'openai responses',
    model: (id) => openai.responses(id),
    // store:false so the SDK sends the reasoning item itself (with encrypted_content), not an item_reference.
    providerOptions: { openai: { forceReasoning: true, reasoningEffort: 'low', reasoningSummary: 'auto', store: false, include: ['reasoning.encrypted_content'] } },
  },
  { client: 'google', model: (id) => google(id), providerOptions: { google: { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } } } },
];

describe.each(REASONING_CLIENTS)('Vercel AI SDK reasoning state in a tool loop, $client provider', ({ model: modelFor, providerOptions }) => {
  const run = async (stream: boolean, modelId: string, tools: ReturnType<typeof clockTools>['tools']) => {
    const settings = { ...common, maxOutputTokens: 4096, model: modelFor(modelId), providerOptions, tools, prompt: 'What time is it?', stopWhen: isStepCount(2), onError: () => undefined };
    if (!stream) return generateText(settings);
    const result = streamText(settings);
    const { errors } = await drain(result.fullStream);
    expect(errors).toEqual([]);
    return { steps: await result.steps, text: await result.text };
  };

  it.each([false, true])('→ anthropic upstream (stream: %s): the thinking shows as reasoning and its signature goes back with the tool call', async (stream) => {
    const { calls, tools } = clockTools();
    const before = fakes.exchanges.anthropic.length;
    const result = await run(stream, 'vai-claude', tools);
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]?.reasoningText).toBe('The user wants an answer.');
    expect(calls).toHaveLength(1);
    expect(result.text).toBe(HAPPY_TEXT.anthropic);

    const [first, second] = fakes.exchanges.anthropic.slice(before) as [Exchange, Exchange];
    expect(first.body.thinking).toMatchObject({ type: expect.stringMatching(/^(enabled|adaptive)$/) });
    const signature = /"signature":"(ZmFrZS1zaWduYXR1cmU\d+)"/.exec(first.responseText)?.[1] ?? /"signature_delta","signature":"(ZmFrZS1zaWduYXR1cmU\d+)"/.exec(first.responseText)?.[1];
    expect(signature).toBeDefined();
    const turn = modelTurnSent('anthropic', second.body);
    expect(turn[0]).toMatchObject({ type: 'thinking', signature });
    expect(turn.at(-1)).toMatchObject({ type: 'tool_use', name: 'get_time' });
  });

  it.each([false, true])('→ gemini upstream (stream: %s): the thought signature of the function call goes back on it', async (stream) => {
    const { calls, tools } = clockTools();
    const before = fakes.exchanges.gemini.length;
    const result = await run(stream, 'vai-gemini', tools);
    expect(result.steps).toHaveLength(2);
    expect(calls).toHaveLength(1);
    expect(result.text).toBe(HAPPY_TEXT.gemini);
    const [, second] = fakes.exchanges.gemini.slice(before) as [Exchange, Exchange];
    const call = modelTurnSent('gemini', second.body).find((part) => isObject(part.functionCall));
    expect(call).toMatchObject({ functionCall: { name: 'get_time' }, thoughtSignature: FAKE_GEMINI_SIGNATURE });
  });
});

describe.each(VERCEL_UPSTREAMS.filter(({ format }) => format !== 'openai-responses'))(
  'Vercel AI SDK, openai responses provider with store: false (the item_reference workaround) → $format upstream',
  ({ format, model: modelId }) => {
    const model = openai.responses(modelId);
    const providerOptions = { openai: { store: false } };

    it('a multi-turn conversation and a tool loop work when the SDK sends whole items', async () => {
      const first = await generateText({ ...common, model, providerOptions, prompt: 'Say hello' });
      const second = await generateText({
        ...common,
        model,
        providerOptions,
        messages: [{ role: 'user', content: 'Say hello' }, ...first.response.messages, { role: 'user', content: 'And once more?' }],
      });
      expect(second.text).toBe(HAPPY_TEXT[format]);
      expect(assistantTextsSent(format, (await fakes.last(format)).body)).toEqual([HAPPY_TEXT[format]]);

      const { seen, tools } = zodWeather();
      prepareToolCall(fakes, format, false);
      const loop = await generateText({ ...common, model, providerOptions, tools, prompt: 'Weather in Paris?', stopWhen: isStepCount(2) });
      expect(loop.steps).toHaveLength(2);
      expect(seen).toEqual([CITY]);
      expect(toolResultsSent(format, (await fakes.last(format)).body)[0]?.text).toContain(FORECAST);

      // The fakes' own calls: Anthropic's comes after a text, Gemini's carries a thought signature.
      const clock = clockTools();
      const timed = await generateText({ ...common, model, providerOptions, tools: clock.tools, prompt: 'What time is it?', stopWhen: isStepCount(2) });
      expect(timed.steps).toHaveLength(2);
      expect(clock.calls).toEqual([{}]);
      const sent = (await fakes.last(format)).body;
      expect(toolResultsSent(format, sent)[0]?.text).toContain('12:00');
      if (format === 'gemini') {
        const call = modelTurnSent('gemini', sent).find((part) => isObject(part.functionCall));
        expect(call).toMatchObject({ functionCall: { name: 'get_time' }, thoughtSignature: FAKE_GEMINI_SIGNATURE });
      }
    });
  },
);
