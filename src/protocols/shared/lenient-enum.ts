import * as z from 'zod/mini';

/**
 * Optional request fields that only tune the answer (effort, display, detail, TTLs…) grow new values
 * faster than the relay ships: Claude Code 2.1.331 in SDK mode sends `thinking.display:"updates"`,
 * and a strict enum turned that into a 400 on every translated route. Such a field reads a known
 * value as is, an unknown one as its nearest known value when one is given, else as absent (the
 * target's default). Required structure stays strict; only tuning knobs use this.
 */
export const lenientEnum = <const T extends readonly [string, ...string[]]>(
  values: T,
  nearest: Readonly<Record<string, T[number]>> = {},
) => {
  const known = new Set<string>(values);
  return z.optional(
    z.pipe(
      z.unknown(),
      z.transform((value): T[number] | undefined => {
        if (typeof value !== 'string') return undefined;
        return known.has(value) ? value : nearest[value];
      }),
    ),
  );
};

/**
 * An optional object told apart by its `type` (a response format): an unknown `type` reads as
 * absent instead of failing the union, the object's other fields stay strict.
 */
export const knownTypeOrAbsent = <S extends z.ZodMiniType>(types: readonly string[], schema: S) => {
  const known = new Set(types);
  const typed = (value: unknown): unknown =>
    value !== null && typeof value === 'object' && known.has(String((value as { type?: unknown }).type)) ? value : undefined;
  return z.optional(z.pipe(z.transform(typed), z.optional(schema)));
};
