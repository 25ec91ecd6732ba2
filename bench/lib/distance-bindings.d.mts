export declare const farD1: <T extends D1Database>(db: T, oneWayMs: number) => T;
export declare const farNamespace: <T extends DurableObjectNamespace>(namespace: T, oneWayMs: number) => T;
export declare const farEnv: <T extends { DB: D1Database; QUOTA: DurableObjectNamespace }>(env: T, oneWayMs: number) => T;
