// Client order ids, made before an order is sent and stored with it, so a venue can always be asked about the order.
import { randomUUID } from 'node:crypto';

/**
 * A fresh client order id: a version-7 UUID (RFC 9562), the wall-clock millisecond in its first 48 bits and 74
 * random bits after. Time-ordered ids land at the right edge of the unique indexes on client order ids and
 * reservation keys, so the commit before every send writes one leaf page of each instead of a random leaf per leg.
 * Wall clock, not the ledger's (replayed) clock: ids must stay unique across replays of the same feed.
 */
export function newClientOrderId(): string {
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, V the RFC variant
  return `${idPrefixOf(Date.now())}7${random.slice(15)}`;
}

/** The last millisecond's id prefix: a number's hex text costs ten times the UUID, and both legs share a millisecond. */
let idPrefixMs = Number.NaN;
let idPrefix = '';

/** "arbbot-" and the 48-bit millisecond as UUID text: "arbbot-tttttttt-tttt-". */
function idPrefixOf(ms: number): string {
  if (ms !== idPrefixMs) {
    const time = ms.toString(16).padStart(12, '0');
    idPrefix = `arbbot-${time.slice(0, 8)}-${time.slice(8, 12)}-`;
    idPrefixMs = ms;
  }
  return idPrefix;
}

