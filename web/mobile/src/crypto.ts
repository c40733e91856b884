// Encryption at rest (issue 13): a random AES-GCM data key, wrapped by a key derived from the worker's passphrase
// (PBKDF2-SHA256, at least 600,000 iterations, a random salt), held only in memory once unwrapped (not extractable).
// Each record is sealed with a fresh 96-bit IV and the store name, id and version as additional data, so a
// ciphertext moved to another record, store or version fails to decrypt, as does any change to it.

export const MIN_ITERATIONS = 600_000;
const WRAP_AAD = new TextEncoder().encode("casework-mobile data key v1");

export interface WrappedKey {
  salt: Uint8Array;
  iterations: number;
  iv: Uint8Array;
  wrapped: Uint8Array;
}

export interface Sealed {
  iv: Uint8Array;
  ct: Uint8Array;
}

/** The record's identity as the cipher's additional data: store, id and version. */
export function additionalData(store: string, id: string, version: number): Uint8Array {
  return new TextEncoder().encode(JSON.stringify([store, id, version]));
}

const random = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

async function passphraseKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  if (iterations < MIN_ITERATIONS) throw new Error(`PBKDF2 needs at least ${MIN_ITERATIONS} iterations`);
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, [
    "deriveKey",
  ]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", salt: salt as BufferSource, iterations, hash: "SHA-256" },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}

/** A new data key, wrapped under the passphrase; and the key itself, not extractable, for this session. */
export async function newDataKey(
  passphrase: string,
  iterations: number = MIN_ITERATIONS,
): Promise<{ key: CryptoKey; wrapped: WrappedKey }> {
  const salt = random(16);
  const iv = random(12);
  const kek = await passphraseKey(passphrase, salt, iterations);
  const fresh = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
  const wrapped = new Uint8Array(
    await crypto.subtle.wrapKey("raw", fresh, kek, { name: "AES-GCM", iv: iv as BufferSource, additionalData: WRAP_AAD as BufferSource }),
  );
  const w: WrappedKey = { salt, iterations, iv, wrapped };
  // Keep only a non-extractable copy in memory: nothing in the page can read the raw key out again.
  const key = await unwrapDataKey(passphrase, w);
  if (!key) throw new Error("the new data key could not be unwrapped");
  return { key, wrapped: w };
}

/** The data key, or null when the passphrase is wrong (AES-GCM's tag does not verify). */
export async function unwrapDataKey(passphrase: string, w: WrappedKey): Promise<CryptoKey | null> {
  const kek = await passphraseKey(passphrase, w.salt, w.iterations);
  try {
    return await crypto.subtle.unwrapKey(
      "raw",
      w.wrapped as BufferSource,
      kek,
      { name: "AES-GCM", iv: w.iv as BufferSource, additionalData: WRAP_AAD as BufferSource },
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    );
  } catch {
    return null;
  }
}

export async function seal(key: CryptoKey, aad: Uint8Array, value: unknown): Promise<Sealed> {
  const iv = random(12);
  const plain = new TextEncoder().encode(JSON.stringify(value));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv: iv as BufferSource, additionalData: aad as BufferSource }, key, plain),
  );
  return { iv, ct };
}

export class TamperedError extends Error {
  constructor() {
    super("A record on this device could not be decrypted: it was changed or moved");
  }
}

export async function open<T>(key: CryptoKey, aad: Uint8Array, sealed: Sealed): Promise<T> {
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: sealed.iv as BufferSource, additionalData: aad as BufferSource },
      key,
      sealed.ct as BufferSource,
    );
  } catch {
    throw new TamperedError();
  }
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}

/** Seal bytes as they are (a document's page), without JSON: a fresh IV and the same additional data as a record. */
export async function sealBytes(key: CryptoKey, aad: Uint8Array, bytes: Uint8Array): Promise<Sealed> {
  const iv = random(12);
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv: iv as BufferSource, additionalData: aad as BufferSource }, key, bytes as BufferSource),
  );
  return { iv, ct };
}

export async function openBytes(key: CryptoKey, aad: Uint8Array, sealed: Sealed): Promise<Uint8Array> {
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv as BufferSource, additionalData: aad as BufferSource }, key, sealed.ct as BufferSource),
    );
  } catch {
    throw new TamperedError();
  }
}
