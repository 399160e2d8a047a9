/**
 * Just enough DER to find an X.509 certificate's signature algorithm, which decides the hash
 * of the `tls-server-end-point` channel binding (RFC 5929 §4.1).
 *
 * `Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE { OID, … },
 * signatureValue BIT STRING }`: read the outer SEQUENCE, skip the first element, read the OID
 * at the start of the second.
 *
 * @since 0.1.0
 */

/** A DER element header: where its content starts and ends, or `undefined` when malformed. */
interface Element {
  readonly tag: number
  readonly start: number
  readonly end: number
}

const readElement = (der: Uint8Array, at: number, limit: number): Element | undefined => {
  if (at + 2 > limit) return undefined
  const tag = der[at]!
  let length = der[at + 1]!
  let start = at + 2
  if (length & 0x80) {
    const n = length & 0x7F
    // Lengths above 2^32 cannot occur in a certificate we could hold; 0 is indefinite (not DER).
    if (n === 0 || n > 4 || start + n > limit) return undefined
    length = 0
    for (let i = 0; i < n; i++) length = length * 256 + der[start + i]!
    start += n
  }
  const end = start + length
  return end > limit ? undefined : { tag, start, end }
}

const SEQUENCE = 0x30
const OBJECT_IDENTIFIER = 0x06

/**
 * The dotted form of the certificate's `signatureAlgorithm` OID, or `undefined` when the bytes
 * are not a DER certificate.
 *
 * @since 0.1.0
 */
export const signatureAlgorithmOid = (der: Uint8Array): string | undefined => {
  const certificate = readElement(der, 0, der.length)
  if (certificate === undefined || certificate.tag !== SEQUENCE) return undefined
  const tbs = readElement(der, certificate.start, certificate.end)
  if (tbs === undefined || tbs.tag !== SEQUENCE) return undefined
  const algorithm = readElement(der, tbs.end, certificate.end)
  if (algorithm === undefined || algorithm.tag !== SEQUENCE) return undefined
  const oid = readElement(der, algorithm.start, algorithm.end)
  if (oid === undefined || oid.tag !== OBJECT_IDENTIFIER || oid.end === oid.start) return undefined
  const arcs: Array<number> = []
  let value = 0
  for (let i = oid.start; i < oid.end; i++) {
    const byte = der[i]!
    value = value * 128 + (byte & 0x7F)
    if (value > Number.MAX_SAFE_INTEGER / 128) return undefined
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2
        arcs.push(first, value - first * 40)
      } else {
        arcs.push(value)
      }
      value = 0
    } else if (i === oid.end - 1) {
      return undefined
    }
  }
  return arcs.join(".")
}
