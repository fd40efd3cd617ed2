// Payload redaction for traces and logs: see redactor.ts for the contract, detectors.ts for the
// kinds, keys.ts for the field-name rule.
export { createRedactor, DEFAULT_MAX_BYTES, MAX_DEPTH, type RedactResult, type Redactor, type RedactorOptions } from './redactor.js';
export type { StringRedaction } from './scan.js';
export { createKeyClassifier, normaliseKey } from './keys.js';
export { compileExtraPattern, MAX_PATTERN_COUNT, MAX_PATTERN_LENGTH } from './safe-pattern.js';
