// Typed domain errors. Messages are written for the model that reads them: what failed and what
// to do next. The tool boundary turns them into isError results.

export type DomainErrorCode = 'NotFound' | 'Conflict' | 'Invalid' | 'Denied' | 'Unavailable';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = code;
  }
}

export class NotFound extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('NotFound', message, details);
  }
}

export class Conflict extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('Conflict', message, details);
  }
}

export class Invalid extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('Invalid', message, details);
  }
}

export class Denied extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('Denied', message, details);
  }
}

export class Unavailable extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('Unavailable', message, details);
  }
}
