/**
 * Fuses synchronous stream stages (WHATWG Transformers whose transform/flush only call
 * `controller.enqueue`) into ONE TransformStream. Each chunk runs through every stage as plain
 * function calls; nothing is buffered, and there is one stream hop instead of one per stage.
 * In workerd every JS TransformStream hop costs a promise round per chunk (bench/RESULTS.md
 * measured ~1 ms per hop per streamed response), which is why the relay does not pipeThrough
 * five streams.
 */
type AnyStage = Transformer<unknown, unknown>;
type Emit = (chunk: unknown) => void;

const controllerFor = (emit: Emit, outer: () => TransformStreamDefaultController<unknown>): TransformStreamDefaultController<unknown> => ({
  enqueue: (chunk?: unknown) => emit(chunk),
  error: (reason?: unknown) => outer().error(reason),
  terminate: () => outer().terminate(),
  get desiredSize() {
    return outer().desiredSize;
  },
});

export class StageChain<I, O> {
  private constructor(private readonly stages: readonly AnyStage[]) {}

  static from<I, O>(stage: Transformer<I, O>): StageChain<I, O> {
    return new StageChain<I, O>([stage as AnyStage]);
  }

  then<P>(stage: Transformer<O, P>): StageChain<I, P> {
    return new StageChain<I, P>([...this.stages, stage as AnyStage]);
  }

  /** Builds the single TransformStream. `onChunk` sees every input chunk first (idle timers, taps). */
  toTransformStream(): TransformStream<I, O> {
    const stages = this.stages;
    let outer: TransformStreamDefaultController<unknown> | undefined;
    const getOuter = () => {
      if (outer === undefined) throw new Error('stage chain used before start');
      return outer;
    };
    const controllers: TransformStreamDefaultController<unknown>[] = [];
    for (let i = stages.length - 1; i >= 0; i--) {
      const next = stages[i + 1];
      const nextController = controllers[0];
      const emit: Emit =
        next === undefined || nextController === undefined
          ? (chunk) => getOuter().enqueue(chunk)
          : (chunk) => {
              void next.transform?.(chunk, nextController);
              if (next.transform === undefined) nextController.enqueue(chunk);
            };
      controllers.unshift(controllerFor(emit, getOuter));
    }
    return new TransformStream<I, O>({
      start(controller) {
        outer = controller;
        stages.forEach((stage, index) => void stage.start?.(controllers[index] as TransformStreamDefaultController<unknown>));
      },
      transform(chunk) {
        const first = stages[0];
        const controller = controllers[0];
        if (first === undefined || controller === undefined) return;
        if (first.transform === undefined) controller.enqueue(chunk);
        else void first.transform(chunk, controller);
      },
      flush() {
        stages.forEach((stage, index) => void stage.flush?.(controllers[index] as TransformStreamDefaultController<unknown>));
      },
    });
  }
}
