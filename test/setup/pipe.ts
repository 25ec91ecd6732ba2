/** Runs `items` through a TransformStream and collects what comes out. */
export const pipe = async <I, O>(items: I[], transform: TransformStream<I, O>): Promise<O[]> => {
  const source = new ReadableStream<I>({
    start(controller) {
      for (const item of items) controller.enqueue(item);
      controller.close();
    },
  });
  const out: O[] = [];
  for await (const item of source.pipeThrough(transform)) out.push(item);
  return out;
};
