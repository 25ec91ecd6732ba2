/**
 * Every relayed request writes one `relay request` JSON line (src/relay/request-log.ts). Thousands of
 * them would bury the suite's output; tests that read them spy on console.log, which sees them first.
 */
const log = console.log.bind(console);
console.log = (...args: unknown[]) => {
  const [first] = args;
  if (typeof first === 'string' && first.startsWith('{"message":"relay request"')) return;
  log(...args);
};
