import type { IrAssistantBlock } from './content';
import type { IrStopReason } from './stop-reason';
import type { IrUsage } from './usage';

export interface IrResponse {
  /** The upstream's own response id; client encoders derive their id from it. */
  id: string;
  model: string;
  content: IrAssistantBlock[];
  stopReason: IrStopReason;
  /** The stop sequence that matched, when the upstream says which. */
  stopSequence?: string | null;
  usage: IrUsage;
}
