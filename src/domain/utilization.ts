// Wallet utilisation: the share of a wallet's total that is locked (open positions and reservations). The one rule
// for when it deserves a warning, used by the engine's edge-triggered event, `open`, `arb --execute` and `balances`.
import { PPM_ALL, ratioPpm, type Ppm } from './money.js';

export interface WalletFigures {
  readonly venue: string;
  readonly total: number;
  readonly locked: number;
}

/** locked / total in parts per million (rounded half up; 0 for an empty wallet): for display. */
export function utilizationPpm(wallet: WalletFigures): number {
  return ratioPpm(wallet.locked, wallet.total);
}

/**
 * Whether locked / total is strictly above the threshold, decided exactly (integers, no rounding): a wallet right
 * at the threshold is not warned about, and an empty wallet never is.
 */
export function aboveUtilizationWarning(wallet: WalletFigures, warnPpm: Ppm): boolean {
  if (wallet.total <= 0) return false;
  return BigInt(wallet.locked) * BigInt(PPM_ALL) > BigInt(warnPpm) * BigInt(wallet.total);
}

/** The wallets above the threshold, in the order given. */
export function walletsAboveWarning<W extends WalletFigures>(wallets: readonly W[], warnPpm: Ppm): W[] {
  return wallets.filter((wallet) => aboveUtilizationWarning(wallet, warnPpm));
}
