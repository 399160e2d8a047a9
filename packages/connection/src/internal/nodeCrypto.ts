/**
 * `node:crypto` implementations of what the pure protocol package needs injected.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto"
import type { AuthCrypto } from "@pgfx/protocol/PgAuth"

/** SHA-256, HMAC-SHA-256, PBKDF2-SHA-256 and MD5 from node:crypto. */
export const nodeAuthCrypto: AuthCrypto = {
  sha256: (data) => createHash("sha256").update(data).digest(),
  hmacSha256: (key, data) => createHmac("sha256", key).update(data).digest(),
  pbkdf2Sha256: (password, salt, iterations, length) => pbkdf2Sync(password, salt, iterations, length, "sha256"),
  md5: (data) => createHash("md5").update(data).digest()
}

/** Cryptographically random bytes (SCRAM nonces). */
export const secureRandomBytes = (n: number): Uint8Array => randomBytes(n)
