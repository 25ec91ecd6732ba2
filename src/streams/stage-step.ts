/**
 * Drives one synchronous stream stage (a Transformer) input by input and answers with exactly the
 * outputs that input produced (and, from `end()`, exactly what its flush produced). The relay
 * needs that attribution — "did this upstream chunk carry the first content event?" (commit or
 * fall back), "did the decoder's error come from the upstream or from its EOF check?" — and with
 * plain function calls it costs nothing: no stream hop, no promise per event.
 */
export interface StageStep<I, O> {
  push(input: I): O[];
  end(): O[];
  abort(reason: unknown): void;
}

export const stageStep = <I, O>(stage: Transformer<I, O>): StageStep<I, O> => {
  const out: O[] = [];
  let finished = false;
  let failure: unknown;
  const controller: TransformStreamDefaultController<O> = {
    enqueue: (chunk?: O) => {
      if (!finished) out.push(chunk as O);
    },
    error: (reason?: unknown) => {
      failure = reason ?? new Error('stream stage failed');
      finished = true;
    },
    terminate: () => {
      finished = true;
    },
    desiredSize: 1,
  };
  const take = (): O[] => {
    const taken = out.splice(0);
    // Rethrows exactly what the stage failed with (a RelayError from a codec), whatever its type.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (failure !== undefined) throw failure;
    return taken;
  };
  void stage.start?.(controller);
  return {
    push(input) {
      if (finished) return take();
      if (stage.transform === undefined) controller.enqueue(input as unknown as O);
      else void stage.transform(input, controller);
      return take();
    },
    end() {
      if (!finished) void stage.flush?.(controller);
      finished = true;
      return take();
    },
    abort() {
      finished = true;
      out.length = 0;
    },
  };
};
