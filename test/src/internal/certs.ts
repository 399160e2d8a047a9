/**
 * Test TLS material, generated fresh for every server (no certificate files live in the repo):
 * a self-signed CA, a server certificate for `localhost` / `127.0.0.1` / `::1` signed by it, and a
 * client certificate whose CN is the `pgfx_cert` role, also signed by the CA. EC P-256 keys keep
 * generation to a few milliseconds.
 *
 * @since 0.1.0
 */
import { generate } from "selfsigned"

/**
 * PEM texts of the generated material.
 *
 * @category models
 * @since 0.1.0
 */
export interface TestCertificates {
  readonly caCert: string
  readonly serverCert: string
  readonly serverKey: string
  readonly clientCert: string
  readonly clientKey: string
}

const day = 24 * 60 * 60 * 1000

/**
 * Generates the CA, server and client certificates.
 *
 * @category constructors
 * @since 0.1.0
 */
export const generateCertificates = async (clientCommonName: string): Promise<TestCertificates> => {
  // a day of slack either side of "now" absorbs clock skew between the generator and the verifier
  const notBeforeDate = new Date(Date.now() - day)
  const notAfterDate = new Date(Date.now() + 30 * day)
  const common = { keyType: "ec", curve: "P-256", algorithm: "sha256", notBeforeDate, notAfterDate } as const
  const ca = await generate([{ name: "commonName", value: "pgfx test CA" }], {
    ...common,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
    ]
  })
  const signer = { key: ca.private, cert: ca.cert }
  const [server, client] = await Promise.all([
    generate([{ name: "commonName", value: "localhost" }], {
      ...common,
      ca: signer,
      extensions: [
        { name: "basicConstraints", cA: false, critical: true },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        { name: "extKeyUsage", serverAuth: true },
        {
          name: "subjectAltName",
          altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }]
        }
      ]
    }),
    generate([{ name: "commonName", value: clientCommonName }], {
      ...common,
      ca: signer,
      extensions: [
        { name: "basicConstraints", cA: false, critical: true },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        { name: "extKeyUsage", clientAuth: true }
      ]
    })
  ])
  return {
    caCert: ca.cert,
    serverCert: server.cert,
    serverKey: server.private,
    clientCert: client.cert,
    clientKey: client.private
  }
}
