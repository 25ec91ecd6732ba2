import type { IrAssistantBlock } from '../../ir/content';
import type { IrBlockDelta, IrBlockStart, IrStreamEvent } from '../../ir/stream-event';

/** A whole IR block as the stream events that would have carried it (start, deltas, stop). */
export const irBlockEvents = (block: IrAssistantBlock, index: number): IrStreamEvent[] => {
  const start: IrBlockStart =
    block.type === 'tool_call'
      ? { type: 'tool_call', id: block.id, name: block.name }
      : block.type === 'redacted_thinking'
        ? { type: 'redacted_thinking', data: block.data }
        : { type: block.type };
  const deltas: IrBlockDelta[] = [];
  if (block.type === 'text' && block.text) deltas.push({ type: 'text', text: block.text });
  if (block.type === 'thinking' && block.text) deltas.push({ type: 'thinking', text: block.text });
  if (block.type === 'thinking' && block.signature) deltas.push({ type: 'signature', signature: block.signature });
  if (block.type === 'tool_call' && block.arguments) deltas.push({ type: 'arguments', json: block.arguments });
  return [
    { type: 'block_start', index, block: start },
    ...deltas.map((delta): IrStreamEvent => ({ type: 'block_delta', index, delta })),
    { type: 'block_stop', index },
  ];
};
