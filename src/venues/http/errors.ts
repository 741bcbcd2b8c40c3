// Errors the live adapters add to the Venue port's own (OrderOutcomeUnknownError, VenueRejectedError).
//
// What a caller of placeOrder may conclude from each error:
//   VenueRejectedError      the venue refused it (or we refused to send it): certainly not placed.
//   VenueUnavailableError   the request never reached the venue, or was refused before processing (429): not placed.
//   OrderOutcomeUnknownError it may have been placed: ask getOrderByClientId, never guess.
//   VenueResponseError      the venue answered with a shape we do not understand: for placement, treat as unknown.
import { InputError, OperationalError } from '../../domain/errors.js';

/** A venue answered 2xx with a body that does not match the wire shape we know: its API probably changed. */
export class VenueResponseError extends OperationalError {
  override readonly name = 'VenueResponseError';
  constructor(
    readonly venue: string,
    message: string,
  ) {
    super(`${venue}: unexpected response: ${message}`);
  }
}

/** Credentials are missing or malformed (environment or credentials file). Nothing was sent. */
export class VenueCredentialsError extends InputError {
  override readonly name = 'VenueCredentialsError';
}
