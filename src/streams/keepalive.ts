import type { WireFormat } from '../ir/format';
import { keepaliveBytesFor } from '../protocols/registry';
import type { StreamFraming } from './stream-framing';

/** A silent stream's keepalive, once content has started: the client format's own bytes (the registry's), on SSE framing only. */
export const keepaliveFor = (format: WireFormat, framing: StreamFraming, afterMs: number): { bytes: Uint8Array; afterMs: number } | undefined => {
  const bytes = keepaliveBytesFor(format);
  return bytes === undefined || !framing.isSse || afterMs <= 0 ? undefined : { bytes, afterMs };
};
