// Typed errors for expected failures. The CLI maps each class to one exit code in one place (cli/errors.ts);
// anything that is not one of these is a bug and exits with its own code.

/** Bad input or usage: unknown id, malformed amount, bad config, a refused operation. Exit 2. */
export class InputError extends Error {
  override readonly name: string = 'InputError';
}

/** Available balance is short: nothing was written. Exit 2. */
export class InsufficientBalanceError extends InputError {
  override readonly name = 'InsufficientBalanceError';
  constructor(
    readonly venue: string,
    readonly requiredMicros: number,
    readonly availableMicros: number,
    message: string,
  ) {
    super(message);
  }
}

/** The same idempotency key was reused with different fields. Exit 2. */
export class IdempotencyConflictError extends InputError {
  override readonly name = 'IdempotencyConflictError';
}

/** A risk limit refuses new positions: nothing was written. Exit 2. The message names the limit and its figures. */
export class RiskLimitError extends InputError {
  override readonly name = 'RiskLimitError';
  constructor(
    readonly limit: string,
    message: string,
  ) {
    super(message);
  }
}

/** An operating error: database unreadable or locked past the timeout, venue unreachable. Exit 3. */
export class OperationalError extends Error {
  override readonly name: string = 'OperationalError';
}

/** A venue could not be reached or answered with a server error. Exit 3. */
export class VenueUnavailableError extends OperationalError {
  override readonly name = 'VenueUnavailableError';
}
