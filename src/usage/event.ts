import type { WireFormat } from '../ir/format';
import type { IrUsage } from '../ir/usage';

/** One relayed request, as sent to the usage queue and stored in usage_events. */
export interface UsageEvent {
  requestId: string;
  accountId: string;
  keyId: string;
  model: string;
  providerId: string | null;
  upstreamModel: string | null;
  /** The client's wire format; 'openai-images' for image tasks (/v1/images/*, /v1/tasks/*). */
  clientFormat: WireFormat | 'openai-images';
  upstreamFormat: WireFormat | null;
  status: number;
  errorType: string | null;
  stream: boolean;
  aborted: boolean;
  usage: IrUsage;
  /** `usage` is the relay's estimate: the stream ended before the upstream reported its count. */
  usageEstimated?: boolean;
  latencyMs: number;
  ttfbMs: number | null;
  createdAt: number;
  /**
   * The key's billing mode when the request was made: prepaid events are debited from the account.
   * Absent on events queued before the field existed; the consumer then reads the key's current mode.
   */
  billing?: 'subscription' | 'prepaid';
  /** The cost the producer already knows (an image task's price); when absent the consumer prices the tokens. */
  costMicros?: number;
  /**
   * The producer settles this event's money through the ledger itself (image tasks: charged at
   * submit, refunded on failure), so the consumer must not debit it again.
   */
  ledgerSettled?: boolean;
}
