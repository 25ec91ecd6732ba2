import { describe, expect, it } from 'vitest';
import { codecFor } from '../../../src/protocols/registry';
import { stageStep } from '../../../src/streams/stage-step';
import { installFakeUpstreams } from '../../setup/fake-network';
import { createKey } from '../../setup/seed';
import { streamFault } from './fault-upstream';
import { provide, unique } from './harness';
import { callClientIn } from './pipe-mode';
import { recordedStream } from './wire';

/**
 * Codec behaviour under faults: what a client of each codec sees when the upstream fails mid-way.
 */
describe('openai-responses codec under faults', () => {
  // An upstream that stopped early is a bad gateway (502), in every decoder.
  it('reports a truncated upstream stream as 502 like the other decoders', async () => {
    const decoder = stageStep(codecFor('openai-responses').decodeStreamStage());
    const recorded = recordedStream('openai-responses');
    for (const frame of recorded.frames.slice(0, recorded.firstContent + 1)) {
      const data = /^data: (.*)$/m.exec(frame)?.[1] ?? '';
      decoder.push({ event: /^event: (.*)$/m.exec(frame)?.[1] ?? '', data });
    }
    const tail = decoder.end();
    const error = tail.find((event) => event.type === 'error');
    expect(error?.type === 'error' ? error.error.status : undefined).toBe(502);
  });

  // The passthrough error tail comes from a fresh encoder, numbered from its own start; the codec's
  // continuePassthroughStream hook renumbers it after the upstream's last event and keeps its response id.
  it('a passthrough in-stream error continues the upstream sequence_number', async () => {
    const recorded = recordedStream('openai-responses');
    const frames = recorded.frames.slice(0, recorded.firstContent + 2);
    installFakeUpstreams({ 'http://seq.fake': streamFault(frames, 'reset') });
    const model = unique('seq');
    await provide({ id: unique('seq-p'), format: 'openai-responses', origin: 'http://seq.fake', model });
    const { key } = await createKey();
    // A reset errors both tee branches of the native pipe, dropping what the client's had not passed on yet (README, streaming): numbering is the JS pipe's guarantee.
    const text = await (await callClientIn('js', 'openai-responses', key, model, true)).text();
    const numbers = [...text.matchAll(/"sequence_number":(\d+)/g)].map((match) => Number(match[1]));
    expect(numbers).toEqual(numbers.map((_, index) => index));
    const upstreamId = (JSON.parse(/^data: (.*)$/m.exec(frames[0] ?? '')?.[1] ?? '{}') as { response?: { id?: string } }).response?.id;
    const failed = text.split('\n').find((line) => line.startsWith('data: {"type":"response.failed"'));
    expect(upstreamId).toBeTruthy();
    expect(JSON.parse(failed?.slice(6) ?? '{}').response?.id).toBe(upstreamId);
  });
});
