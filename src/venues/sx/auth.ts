// SX Bet authentication: an EIP-712 signature by the wallet key on every taker fill (domain "SX Bet", version and
// verifying contract from GET /metadata, chain 4162). The REST API takes no API key (API reference, API Key), so the
// wallet key is the only secret, and public reads (books, markets, metadata) need none.
import { keccak256, toHex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { loadCredentials, type CredentialSpec } from '../http/credentials.js';
import { ethereumAccount } from '../http/ethereum-key.js';
import { FILL_EIP712_TYPES, SX_CHAIN_ID, ZERO_ADDRESS, ZERO_BYTES32, type Hex, type SxMetadata } from './models.js';

export interface SxCredentials {
  readonly account: PrivateKeyAccount;
  /** JSON-RPC endpoint of the SX chain, for the USDC balance (not a secret, but per-deployment like the keys). */
  readonly rpcUrl: string;
}

/** API reference, References → Mainnet: RPC URL (changed on 2026-03-02 from the earlier rollup endpoint). */
export const SX_DEFAULT_RPC_URL = 'https://rpc-rollup.sx.technology';

export const SX_CREDENTIALS: readonly CredentialSpec[] = [
  // The wallet key in the clear, or a keystore v3 file (its password in SX_KEYSTORE_PASSWORD, never in a file).
  { field: 'privateKey', env: 'SX_PRIVATE_KEY', required: true, orField: 'keystore' },
  { field: 'keystore', env: 'SX_KEYSTORE', required: false, public: true },
  { field: 'rpcUrl', env: 'SX_RPC_URL', required: false, public: true },
];

const SX_KEY_NAMES = { keyEnv: 'SX_PRIVATE_KEY', keystoreEnv: 'SX_KEYSTORE', passwordEnv: 'SX_KEYSTORE_PASSWORD' } as const;

export const SX_CREDENTIALS_HINT = 'SX_PRIVATE_KEY, or the credentials file';

export function loadSxCredentials(venue: string, credentialsFile: string | null, env: NodeJS.ProcessEnv): SxCredentials {
  const values = loadCredentials(venue, SX_CREDENTIALS, credentialsFile, env);
  const account = ethereumAccount(venue, { privateKey: values.privateKey, keystore: values.keystore }, SX_KEY_NAMES, env);
  return { account, rpcUrl: values.rpcUrl ?? SX_DEFAULT_RPC_URL };
}

export interface FillToSign {
  readonly marketHash: string;
  readonly baseToken: Hex;
  readonly stakeWei: bigint;
  readonly desiredOdds: bigint;
  readonly oddsSlippage: bigint;
  readonly isTakerBettingOutcomeOne: boolean;
  readonly fillSalt: bigint;
}

export function fillTypedData(metadata: SxMetadata, fill: FillToSign) {
  return {
    domain: { name: 'SX Bet', version: metadata.domainVersion, chainId: SX_CHAIN_ID, verifyingContract: metadata.fillHasher },
    types: FILL_EIP712_TYPES,
    primaryType: 'Details' as const,
    message: {
      action: 'N/A',
      market: fill.marketHash,
      betting: 'N/A',
      stake: 'N/A',
      worstOdds: 'N/A',
      worstReturning: 'N/A',
      fills: {
        stakeWei: fill.stakeWei.toString(),
        marketHash: fill.marketHash,
        baseToken: fill.baseToken,
        desiredOdds: fill.desiredOdds.toString(),
        oddsSlippage: fill.oddsSlippage,
        isTakerBettingOutcomeOne: fill.isTakerBettingOutcomeOne,
        fillSalt: fill.fillSalt,
        beneficiary: ZERO_ADDRESS,
        beneficiaryType: 0,
        cashOutTarget: ZERO_BYTES32,
      },
    },
  };
}

export function signFill(account: PrivateKeyAccount, metadata: SxMetadata, fill: FillToSign): Promise<Hex> {
  return account.signTypedData(fillTypedData(metadata, fill));
}

/** The fill salt (uint256) derived from the client order id: one client id, one salt, so a re-send is recognisable. */
export function fillSaltFor(clientOrderId: string): bigint {
  return BigInt(keccak256(toHex(`arbbot:${clientOrderId}`)));
}
