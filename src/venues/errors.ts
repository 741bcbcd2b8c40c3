// Errors a venue adds to the port's own (OrderOutcomeUnknownError, VenueRejectedError), raised by the live adapters.
//
// What a caller of placeOrder may conclude from each error:
//   VenueRejectedError      the venue refused it (or we refused to send it): certainly not placed.
//   VenueUnavailableError   the request never reached the venue, or was refused before processing (429): not placed.
//   OrderOutcomeUnknownError it may have been placed: ask getOrderByClientId, never guess.
//   VenueResponseError      the venue answered with a shape we do not understand: for placement, treat as unknown.
//   VenueProtocolError      the venue reported the impossible (an overfill, a fill beyond the limit, a negative fee,
//                           an order or fill we never placed): nothing of it may be booked; for placement, unknown.
import { InputError, OperationalError } from '../domain/errors.js';

/** A venue answered 2xx with a body that does not match the wire shape we know: its API probably changed. */
export class VenueResponseError extends OperationalError {
  override readonly name: string = 'VenueResponseError';
  constructor(
    readonly venue: string,
    message: string,
  ) {
    super(`${venue}: unexpected response: ${message}`);
  }
}

/**
 * A venue answered in the shape we know with something that cannot be true: a price outside (0, 1], a negative fee,
 * more filled than ordered, a fill worse than the limit, an order or fill we never placed. Names the venue, the
 * field and the claim, so a person can take it up with the venue; nothing of the report is to be booked.
 */
export class VenueProtocolError extends VenueResponseError {
  override readonly name = 'VenueProtocolError';
  constructor(
    venue: string,
    readonly field: string,
    readonly claim: string,
  ) {
    super(venue, `${field}: ${claim}`);
    this.message = `${venue}: impossible report: ${field}: ${claim}`;
  }
}

/** Credentials are missing or malformed (environment or credentials file). Nothing was sent. */
export class VenueCredentialsError extends InputError {
  override readonly name = 'VenueCredentialsError';
}
