/**
 * The harness's own checks: the server provided by the global setup is reachable over TCP (IPv4
 * and IPv6 when listened on) and the unix socket, its TLS material parses and chains, every test
 * role meets exactly the pg_hba method it is meant to exercise, and the settings later tests rely
 * on are in effect.
 */
import { assert, describe, it } from "@effect/vitest"
import * as crypto from "node:crypto"
import { readFileSync, statSync } from "node:fs"
import * as net from "node:net"
import { pgServer } from "../src/PgTestServer.ts"
import { PgRawError, rawConnect, type RawConnectOptions, rawQuery, sslRequest, startupMessage } from "../src/PgRawClient.ts"
import type { PgRoleKey } from "../src/PgServerInfo.ts"

const server = pgServer()
const embedded = server.source === "embedded" ? undefined : `${server.description} is not the embedded server`

/** Sends `bytes` on a fresh socket and resolves with the first chunk the server answers. */
const firstReply = (options: net.NetConnectOpts, bytes: Buffer): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(options)
    socket.setTimeout(5_000, () => {
      socket.destroy()
      reject(new Error("timed out"))
    })
    socket.once("error", reject)
    socket.once("connect", () => socket.write(bytes))
    socket.once("data", (chunk: Buffer) => {
      socket.destroy()
      resolve(chunk)
    })
  })

const noTcp = server.hosts.length === 0 ? `${server.description} has no TCP address` : undefined
/** TCP when the server has it, else its unix socket. */
const anyTarget = () => (noTcp === undefined ? tcp() : { path: server.socketPath! })
const tcp = (host = server.host) => ({ host, port: server.port })
const pem = (file: string) => readFileSync(file, "utf8")
const tlsVerified = (servername = "localhost", withClientCert = false) => ({
  ca: pem(server.tls!.caCert),
  servername,
  ...(withClientCert ? { cert: pem(server.tls!.clientCert), key: pem(server.tls!.clientKey) } : {})
})
const as = (role: PgRoleKey, extra: Partial<RawConnectOptions> = {}): RawConnectOptions => {
  const r = server.requireRole(role)
  return { target: tcp(), user: r.user, password: r.password, database: server.database, ...extra }
}

/** Resolves with the SQLSTATE of the refusal; fails the test if the login succeeds. */
const refused = async (options: RawConnectOptions): Promise<string | undefined> => {
  try {
    const session = await rawConnect(options)
    await session.close()
  } catch (error) {
    assert.instanceOf(error, PgRawError)
    return error.code
  }
  assert.fail(`login as ${options.user} should have been refused`)
}

describe("reachability", () => {
  it.skipIf(noTcp)("answers an SSLRequest with 'S' on every TCP address", async () => {
    for (const host of server.hosts) {
      const reply = await firstReply(tcp(host), sslRequest())
      assert.deepStrictEqual([...reply], [0x53], `SSLRequest on ${host}`)
    }
  })

  it.skipIf(noTcp)("answers a StartupMessage over TCP with an 'R' authentication request", async () => {
    const reply = await firstReply(tcp(), startupMessage({ user: server.superuser.user, database: server.database }))
    assert.strictEqual(String.fromCharCode(reply[0]!), "R")
    assert.strictEqual(reply.readInt32BE(1), 8)
  })

  it.skipIf(server.socketPath === undefined)("accepts the superuser on the unix socket (SSL refused there)", async () => {
    const path = server.socketPath!
    const ssl = await firstReply({ path }, sslRequest())
    assert.deepStrictEqual([...ssl], [0x4e]) // 'N': no TLS on unix sockets
    const reply = await firstReply({ path }, startupMessage({ user: server.superuser.user, database: server.database }))
    assert.strictEqual(String.fromCharCode(reply[0]!), "R")
    const session = await rawConnect({ target: { path }, user: server.superuser.user, database: server.database })
    assert.deepStrictEqual(session.authRequests, [0])
    assert.deepStrictEqual((await session.query("select current_database(), current_user")).rows, [
      [server.database, server.superuser.user]
    ])
    await session.close()
  })

  it.skipIf(embedded)("listens on 127.0.0.1, and on ::1 when IPv6 loopback exists", async () => {
    const ipv6 = await new Promise<boolean>((resolve) => {
      const probe = net.createServer().once("error", () => resolve(false))
      probe.listen({ host: "::1", port: 0 }, () => probe.close(() => resolve(true)))
    })
    assert.include(server.hosts, "127.0.0.1")
    assert.strictEqual(server.hosts.includes("::1"), ipv6)
  })
})

describe.skipIf(embedded)("TLS material", () => {
  const tls = server.tls!

  it("writes a CA, a server certificate for localhost/127.0.0.1/::1 and a client certificate", () => {
    const ca = new crypto.X509Certificate(pem(tls.caCert))
    const cert = new crypto.X509Certificate(pem(tls.serverCert))
    const client = new crypto.X509Certificate(pem(tls.clientCert))
    assert.isTrue(ca.ca)
    assert.isFalse(cert.ca)
    assert.isTrue(cert.checkIssued(ca))
    assert.isTrue(cert.verify(ca.publicKey))
    assert.strictEqual(cert.checkHost("localhost"), "localhost")
    assert.strictEqual(cert.checkIP("127.0.0.1"), "127.0.0.1")
    assert.isDefined(cert.checkIP("::1"))
    assert.isTrue(client.verify(ca.publicKey))
    assert.match(client.subject, /CN=pgfx_cert/)
    const key = crypto.createPrivateKey(pem(tls.clientKey))
    assert.isTrue(client.checkPrivateKey(key))
    assert.strictEqual(statSync(tls.clientKey).mode & 0o777, 0o600)
  })

  it("serves the server certificate and verifies against the CA by name and by IP", async () => {
    for (const [host, servername] of [["127.0.0.1", "localhost"], ["127.0.0.1", "127.0.0.1"], ...(server.hosts.includes("::1") ? [["::1", "::1"]] : [])] as const) {
      const session = await rawConnect(as("scram", { target: tcp(host), tls: tlsVerified(servername) }))
      assert.isTrue(session.encrypted)
      assert.strictEqual(session.peerCertificate?.subject.CN, "localhost")
      await session.close()
    }
  })

  it("fails verification for a name the certificate does not carry", async () => {
    const code = await refused(as("scram", { tls: tlsVerified("db.example.com") }))
    assert.isUndefined(code) // a local TLS failure, not a server refusal
  })
})

describe("roles and pg_hba", () => {
  it("superuser: trust on TCP", async () => {
    const session = await rawConnect({ target: anyTarget(), user: server.superuser.user, password: server.superuser.password, database: server.database })
    if (server.source === "embedded") assert.deepStrictEqual(session.authRequests, [0])
    const rows = (await session.query("select rolsuper from pg_roles where rolname = current_user")).rows
    assert.deepStrictEqual(rows, [["t"]])
    await session.close()
  })

  it.skipIf(server.skipReason("trust"))("pgfx_trust: trust", async () => {
    const session = await rawConnect(as("trust"))
    assert.deepStrictEqual(session.authRequests, [0])
    await session.close()
  })

  it.skipIf(server.skipReason("password"))("pgfx_password: cleartext password; a wrong one is refused", async () => {
    const session = await rawConnect(as("password"))
    assert.deepStrictEqual(session.authRequests, [3, 0])
    await session.close()
    assert.strictEqual(await refused(as("password", { password: "wrong" })), "28P01")
  })

  it.skipIf(server.skipReason("md5"))("pgfx_md5: MD5 challenge, password stored as md5", async () => {
    const session = await rawConnect(as("md5"))
    assert.deepStrictEqual(session.authRequests, [5, 0])
    await session.close()
    assert.strictEqual(await refused(as("md5", { password: "wrong" })), "28P01")
    const stored = await rawQuery(
      { target: tcp(), user: server.superuser.user, database: server.database },
      "select rolpassword from pg_authid where rolname = 'pgfx_md5'"
    )
    assert.match(stored.rows[0]![0]!, /^md5[0-9a-f]{32}$/)
  })

  it.skipIf(server.skipReason("scram"))("pgfx_scram: SCRAM-SHA-256 (no -PLUS without TLS)", async () => {
    const session = await rawConnect(as("scram"))
    assert.deepStrictEqual(session.authRequests, [10, 11, 12, 0])
    assert.deepStrictEqual(session.saslMechanisms, ["SCRAM-SHA-256"])
    await session.close()
    assert.strictEqual(await refused(as("scram", { password: "wrong" })), "28P01")
  })

  it.skipIf(server.skipReason("ssl"))("pgfx_ssl: SCRAM over TLS only", async () => {
    const session = await rawConnect(as("ssl", { tls: tlsVerified() }))
    assert.deepStrictEqual(session.authRequests, [10, 11, 12, 0])
    assert.include(session.saslMechanisms, "SCRAM-SHA-256-PLUS")
    assert.deepStrictEqual((await session.query("select ssl from pg_stat_ssl where pid = pg_backend_pid()")).rows, [["t"]])
    await session.close()
    assert.strictEqual(await refused(as("ssl")), "28000")
    assert.strictEqual(await refused(as("ssl", { target: { path: server.socketPath! } })), "28000")
  })

  it.skipIf(server.skipReason("cert"))("pgfx_cert: client certificate over TLS only", async () => {
    const session = await rawConnect(as("cert", { tls: tlsVerified("localhost", true) }))
    assert.deepStrictEqual(session.authRequests, [0])
    await session.close()
    assert.strictEqual(await refused(as("cert", { tls: tlsVerified() })), "28000")
    assert.strictEqual(await refused(as("cert")), "28000")
  })

  it.skipIf(server.skipReason("repl"))("pgfx_repl: replication connections", async () => {
    const session = await rawConnect(as("repl", { parameters: { replication: "true" } }))
    assert.deepStrictEqual(session.authRequests, [10, 11, 12, 0])
    const identify = await session.query("IDENTIFY_SYSTEM")
    assert.deepStrictEqual(identify.columns, ["systemid", "timeline", "xlogpos", "dbname"])
    await session.close()
    const logical = await rawConnect(as("repl", { parameters: { replication: "database" } }))
    assert.strictEqual((await logical.query("IDENTIFY_SYSTEM")).rows[0]![3], server.database)
    await logical.close()
  })

  it.skipIf(server.skipReason("scram"))("test roles may create tables in the test database", async () => {
    const table = `pgfx_harness_${process.pid}`
    const result = await rawQuery(as("scram"), `create temp table ${table} (x int); insert into ${table} values (1), (2); select count(*) from ${table}`)
    assert.deepStrictEqual(result.rows, [["2"]])
  })
})

describe.skipIf(embedded)("server settings", () => {
  it("has the settings the tests rely on", async () => {
    const session = await rawConnect({ target: tcp(), user: server.superuser.user, database: server.database })
    const show = async (name: string) => (await session.query(`show ${name}`)).rows[0]![0]
    assert.strictEqual(await show("ssl"), "on")
    assert.strictEqual(await show("wal_level"), "logical")
    assert.strictEqual(await show("max_prepared_transactions"), "10")
    assert.strictEqual(await show("max_replication_slots"), "10")
    assert.strictEqual(await show("max_wal_senders"), "10")
    assert.strictEqual(await show("max_connections"), "200")
    assert.strictEqual(await show("password_encryption"), "scram-sha-256")
    assert.strictEqual(await show("fsync"), "off")
    assert.strictEqual(await show("server_encoding"), "UTF8")
    assert.strictEqual(await show("TimeZone"), "UTC")
    assert.strictEqual(session.parameters.server_version?.split(" ")[0], server.version?.full)
    assert.strictEqual(
      Number((await session.query("show server_version_num")).rows[0]![0]) / 10000 | 0,
      server.version?.major
    )
    const owner = await session.query(
      `select pg_get_userbyid(datdba) from pg_database where datname = '${server.database}'`
    )
    assert.deepStrictEqual(owner.rows, [[server.superuser.user]])
    await session.close()
  })

  it("exposes connection strings and PG* variables without leaking into logs", () => {
    const url = new URL(server.connectionString("scram"))
    assert.strictEqual(url.port, String(server.port))
    assert.strictEqual(decodeURIComponent(url.password), server.requireRole("scram").password)
    assert.strictEqual(server.env("ssl").PGSSLMODE, "verify-full")
    assert.notInclude(server.description, server.requireRole("scram").password!)
  })
})
