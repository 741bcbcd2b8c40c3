// Golden tests: Polymarket's signing reproduced against the official clients' published test vectors, byte for byte.
//   L2 HMAC: clob-client-v2 tests/signing/hmac.test.ts (v1.1.0) and py-clob-client-v2 tests/signing/test_hmac.py.
//   EIP-712 order: py-clob-client-v2 tests/order_utils/test_exchange_order_builder_v2.py (commit b0a97fa), whose
//   deposit-wallet (POLY_1271) signature carries the CTF Exchange V2 domain separator and the order's struct hash
//   inside it; the order hash is their EIP-712 digest, as clob-client-v2's buildOrderHash (hashTypedData) makes it.
import { concat, encodeAbiParameters, hashStruct, keccak256, slice, toHex, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import type { PriceMicros, QtyMicros } from '../../src/domain/money.js';
import { orderHash, polyHmacSignature } from '../../src/venues/polymarket/auth.js';
import { ORDER_EIP712_TYPES, orderAmounts, orderDomain, ZERO_BYTES32, type OrderDomain, type UnsignedOrder } from '../../src/venues/polymarket/exchange.js';

describe('L2 HMAC: the official clients’ vector', () => {
  const vector = { secret: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', timestamp: 1000000, method: 'test-sign', path: '/orders', body: '{"hash": "0x123"}' };

  it('signs "test-sign /orders" to ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=', () => {
    expect(polyHmacSignature(vector.secret, vector.timestamp, vector.method, vector.path, vector.body)).toBe('ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=');
  });

  it('control: the method is signed as given (upper-casing it, as this adapter once did, breaks the vector)', () => {
    expect(polyHmacSignature(vector.secret, vector.timestamp, vector.method.toUpperCase(), vector.path, vector.body)).not.toBe('ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=');
  });
});

describe('EIP-712 order: py-clob-client-v2’s V2 vector (Amoy, CTF Exchange V2)', () => {
  // The well-known local-chain key the official tests use.
  const account = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
  const AMOY = 80002;
  const DEPOSIT_WALLET = '0x1111111111111111111111111111111111111111';
  const order: UnsignedOrder = {
    salt: 479249096354n,
    maker: DEPOSIT_WALLET,
    signer: DEPOSIT_WALLET,
    tokenId: 1234n,
    makerAmount: 100000000n,
    takerAmount: 50000000n,
    side: 0,
    signatureType: 3,
    timestamp: 1710000000000n,
    metadata: ZERO_BYTES32,
    builder: ZERO_BYTES32,
  };
  // innerSig (65) ‖ domain separator (32) ‖ struct hash (32) ‖ the Order type string ‖ its length (uint16).
  const EXPECTED_POLY_1271_SIGNATURE =
    '0xa3a093c83b6c20c83355c16ce94c92e6e9fcbdeb840618cc74f6c57a42ad145b2b98db73d2c73cbf1f2b6af288566ae81960ddbc3a13921027358a8bff3be6ff1c' +
    'a440cbd865bc0c6243d7a8df9a8bf48a8827b0a4abbb61c30e96d305423af148' +
    'd23d42d3ad94e65d78258cecaf8dcbaddac0f73dc085040f2c12bb595dd83804' +
    '4f726465722875696e743235362073616c742c61646472657373206d616b65722c61646472657373207369676e65722c75696e7432353620746f6b656e49642c75696e74323536206d616b6572416d6f756e742c75696e743235362074616b6572416d6f756e742c75696e743820736964652c75696e7438207369676e6174757265547970652c75696e743235362074696d657374616d702c62797465733332206d657461646174612c62797465733332206275696c6465722900ba';
  const domain = orderDomain('ctf', false, AMOY);
  // As clob-client-v2's ExchangeOrderBuilderV2 builds its appDomainSep.
  const domainSeparator = (d: OrderDomain) =>
    keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
        [keccak256(toHex('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)')), keccak256(toHex(d.name)), keccak256(toHex(d.version)), BigInt(d.chainId), d.verifyingContract],
      ),
    );
  const typeString = `Order(${ORDER_EIP712_TYPES.Order.map((field) => `${field.type} ${field.name}`).join(',')})`;

  it('reproduces the whole published signature from this adapter’s struct and domain', async () => {
    const inner = await account.signTypedData({
      domain,
      types: {
        TypedDataSign: [
          { name: 'contents', type: 'Order' },
          { name: 'name', type: 'string' },
          { name: 'version', type: 'string' },
          { name: 'chainId', type: 'uint256' },
          { name: 'verifyingContract', type: 'address' },
          { name: 'salt', type: 'bytes32' },
        ],
        Order: ORDER_EIP712_TYPES.Order,
      },
      primaryType: 'TypedDataSign',
      message: { contents: order, name: 'DepositWallet', version: '1', chainId: BigInt(AMOY), verifyingContract: DEPOSIT_WALLET, salt: ZERO_BYTES32 },
    });
    const structHash = hashStruct({ data: order, primaryType: 'Order', types: ORDER_EIP712_TYPES });
    const length = toHex(typeString.length, { size: 2 });
    expect(concat([inner, domainSeparator(domain), structHash, toHex(typeString), length])).toBe(EXPECTED_POLY_1271_SIGNATURE);
  });

  it('computes the order hash (the CLOB’s order id) as the official builder does: keccak256(0x1901 ‖ domain ‖ struct)', () => {
    const published = EXPECTED_POLY_1271_SIGNATURE as Hex;
    const expected = keccak256(concat(['0x1901', slice(published, 65, 97), slice(published, 97, 129)]));
    expect(orderHash(order, domain)).toBe(expected);
  });

  it('control: the same order for the domain version "3" (ExchangeV3) has another separator and another hash', () => {
    const v3 = { ...domain, version: '3' as const };
    expect(domainSeparator(v3)).not.toBe(slice(EXPECTED_POLY_1271_SIGNATURE as Hex, 65, 97));
    expect(orderHash(order, v3)).not.toBe(orderHash(order, domain));
  });
});

describe('domains and amounts as the official configuration gives them', () => {
  it('Polygon: CTF Exchange V2, neg-risk exchange V2, and ExchangeV3 (domain "3") for position ids (clob-client-v2 1.1.0 src/config.ts)', () => {
    const base = { name: 'Polymarket CTF Exchange', chainId: 137 };
    expect(orderDomain('ctf', false)).toEqual({ ...base, version: '2', verifyingContract: '0xE111180000d2663C0091e4f400237545B87B996B' });
    expect(orderDomain('ctf', true)).toEqual({ ...base, version: '2', verifyingContract: '0xe2222d279d744050d28e00520010520000310F59' });
    expect(orderDomain('positions', true)).toEqual({ ...base, version: '3', verifyingContract: '0xe3333700cA9d93003F00f0F71f8515005F6c00Aa' });
  });

  it('signs the amounts the official market-order builder signs for $100 at 0.5 (createMarketOrder test, tick 0.1)', () => {
    expect(orderAmounts('buy', 200_000_000 as QtyMicros, 500_000 as PriceMicros)).toEqual({ makerAmount: 100000000n, takerAmount: 200000000n });
  });
});
