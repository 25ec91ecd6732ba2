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
  clientFormat: WireFormat;
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
}
