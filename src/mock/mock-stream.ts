import type { IrResponse } from '../ir/response';
import type { IrStreamEvent } from '../ir/stream-event';

/** A response as the IR event sequence a streaming upstream would produce (text in word chunks). */
export const responseToEvents = (response: IrResponse): IrStreamEvent[] => {
  const events: IrStreamEvent[] = [
    { type: 'start', id: response.id, model: response.model, usage: { inputTokens: response.usage.inputTokens } },
  ];
  response.content.forEach((block, index) => {
    switch (block.type) {
      case 'text': {
        events.push({ type: 'block_start', index, block: { type: 'text' } });
        for (const piece of block.text.match(/\S+\s*/g) ?? [block.text]) events.push({ type: 'block_delta', index, delta: { type: 'text', text: piece } });
        break;
      }
      case 'thinking':
        events.push({ type: 'block_start', index, block: { type: 'thinking' } });
        events.push({ type: 'block_delta', index, delta: { type: 'thinking', text: block.text } });
        if (block.signature) events.push({ type: 'block_delta', index, delta: { type: 'signature', signature: block.signature } });
        break;
      case 'redacted_thinking':
        events.push({ type: 'block_start', index, block: { type: 'redacted_thinking', data: block.data } });
        break;
      case 'tool_call':
        events.push({ type: 'block_start', index, block: { type: 'tool_call', id: block.id, name: block.name } });
        events.push({ type: 'block_delta', index, delta: { type: 'arguments', json: block.arguments } });
        break;
    }
    events.push({ type: 'block_stop', index });
  });
  events.push({ type: 'finish', stopReason: response.stopReason, usage: response.usage });
  return events;
};
