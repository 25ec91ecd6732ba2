export declare const farD1: <T extends D1Database>(db: T, oneWayMs: number) => T;
export declare const farNamespace: <T extends DurableObjectNamespace<any>>(namespace: T, oneWayMs: number) => T;
export declare const farEnv: <T extends object>(env: T, oneWayMs: number) => T;
