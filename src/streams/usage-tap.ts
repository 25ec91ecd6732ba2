import type { RelayError } from '../errors';
import type { IrStopReason } from '../ir/stop-reason';
import type { IrStreamEvent } from '../ir/stream-event';
import { emptyUsage, type IrUsage } from '../ir/usage';

/** What a stream told us about itself by the time it ended. */
export interface StreamOutcome {
  usage: IrUsage;
  stopReason?: IrStopReason;
  error?: RelayError;
  finished: boolean;
  /** Characters of text, reasoning and tool arguments streamed so far (for an estimate if usage never comes). */
  generatedChars: number;
  /** The usage is the relay's estimate, not the upstream's own count (an answer whose usage it could not read). */
  estimated?: boolean;
  /** The upstream's own id for its answer (a Responses upstream stores the response under it). */
  upstreamId?: string;
}

export const newOutcome = (): StreamOutcome => ({ usage: emptyUsage(), finished: false, generatedChars: 0 });

/** What a whole (non-stream) answer says about itself. */
export const observeAnswer = (outcome: StreamOutcome, decoded: { id?: string; usage: IrUsage; stopReason: IrStopReason }): void => {
  if (decoded.id !== undefined) outcome.upstreamId = decoded.id;
  outcome.usage = decoded.usage;
  outcome.stopReason = decoded.stopReason;
  outcome.finished = true;
};

const mergeUsage = (into: IrUsage, from: Partial<IrUsage> | undefined): void => {
  if (from === undefined) return;
  for (const field of Object.keys(from) as Array<keyof IrUsage>) {
    const value = from[field];
    if (typeof value === 'number') into[field] = value;
  }
};

/** Records usage, stop reason and errors off IR events as they pass (the events are not changed). */
export const observeIrEvent = (outcome: StreamOutcome, event: IrStreamEvent): void => {
  switch (event.type) {
    case 'start':
      outcome.upstreamId = event.id;
      mergeUsage(outcome.usage, event.usage);
      break;
    case 'usage':
      mergeUsage(outcome.usage, event.usage);
      break;
    case 'block_delta': {
      const { delta } = event;
      if (delta.type === 'text' || delta.type === 'thinking') outcome.generatedChars += delta.text.length;
      else if (delta.type === 'arguments') outcome.generatedChars += delta.json.length;
      break;
    }
    case 'finish':
      mergeUsage(outcome.usage, event.usage);
      outcome.stopReason = event.stopReason;
      outcome.finished = true;
      break;
    case 'error':
      outcome.error = event.error;
      break;
    default:
      break;
  }
};
