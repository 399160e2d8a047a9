import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as PgConfig from "../src/PgConfig.ts"

/** No files, a fixed OS user, the given environment. */
const hermetic = (env: Record<string, string> = {}, extra: PgConfig.ParseOptions = {}): PgConfig.ParseOptions => ({
  env,
  homeDir: undefined,
  osUser: "os-user",
  readFile: () => undefined,
  statFile: () => undefined,
  ...extra
})

const ok = (result: Result.Result<PgConfig.PgConfig, PgConfig.ConfigError>): PgConfig.PgConfig => {
  if (Result.isFailure(result)) throw new Error(`expected success, got: ${result.failure.message}`)
  return result.success
}

const errorOf = (result: Result.Result<PgConfig.PgConfig, PgConfig.ConfigError>): PgConfig.ConfigError => {
  if (Result.isSuccess(result)) throw new Error("expected a ConfigError")
  return result.failure
}

const parse = (input: string, env: Record<string, string> = {}, extra: PgConfig.ParseOptions = {}) =>
  PgConfig.parse(input, hermetic(env, extra))

const endpoints = (config: PgConfig.PgConfig) =>
  config.targets.map((t) => ({
    host: t.host,
    hostaddr: t.hostaddr,
    port: t.port,
    isUnixSocket: t.isUnixSocket,
    socketPath: t.socketPath
  }))

describe("PgConfig", () => {
  describe("defaults", () => {
    it("an empty string gives libpq's defaults", () => {
      const config = ok(parse(""))
      assert.deepStrictEqual(endpoints(config), [
        { host: "/tmp", hostaddr: undefined, port: 5432, isUnixSocket: true, socketPath: "/tmp/.s.PGSQL.5432" },
        {
          host: "/var/run/postgresql",
          hostaddr: undefined,
          port: 5432,
          isUnixSocket: true,
          socketPath: "/var/run/postgresql/.s.PGSQL.5432"
        }
      ])
      assert.strictEqual(config.user, "os-user")
      assert.strictEqual(config.database, "os-user")
      assert.strictEqual(config.password, undefined)
      assert.strictEqual(config.sslMode, "prefer")
      assert.strictEqual(config.sslNegotiation, "postgres")
      assert.strictEqual(config.sslCertMode, "allow")
      assert.strictEqual(config.sslCompression, false)
      assert.strictEqual(config.sslSni, true)
      assert.strictEqual(config.sslMinProtocolVersion, "TLSv1.2")
      assert.strictEqual(config.sslMaxProtocolVersion, undefined)
      assert.strictEqual(config.channelBinding, "prefer")
      assert.strictEqual(config.gssEncMode, "disable")
      assert.strictEqual(config.krbSrvName, "postgres")
      assert.strictEqual(config.gssDelegation, false)
      assert.strictEqual(config.targetSessionAttrs, "any")
      assert.strictEqual(config.loadBalanceHosts, "disable")
      assert.strictEqual(config.minProtocolVersion, "3.0")
      assert.strictEqual(config.maxProtocolVersion, "3.0")
      assert.strictEqual(config.connectTimeout, undefined)
      assert.strictEqual(config.keepalives, true)
      assert.strictEqual(config.options, undefined)
      assert.strictEqual(config.replication, undefined)
      assert.deepStrictEqual(config.warnings, [])
      assert.deepStrictEqual(config.keywords, {
        user: "os-user",
        channel_binding: "prefer",
        port: "5432",
        options: "",
        sslmode: "prefer",
        sslnegotiation: "postgres",
        sslcompression: "0",
        sslsni: "1",
        ssl_min_protocol_version: "TLSv1.2",
        gssencmode: "disable",
        krbsrvname: "postgres",
        gssdelegation: "0",
        target_session_attrs: "any",
        load_balance_hosts: "disable"
      })
    })

    it("the default socket directories are configurable; none means TCP to localhost", () => {
      assert.deepStrictEqual(
        ok(parse("", {}, { defaultSocketDirs: ["/run/pg"] })).targets.map((t) => t.socketPath),
        ["/run/pg/.s.PGSQL.5432"]
      )
      assert.deepStrictEqual(endpoints(ok(parse("port=6000", {}, { defaultSocketDirs: [] }))), [
        { host: "localhost", hostaddr: undefined, port: 6000, isUnixSocket: false, socketPath: undefined }
      ])
      assert.strictEqual(ok(parse("", {}, { platform: "win32", defaultSocketDirs: undefined })).targets[0].host, "localhost")
    })

    it("empty user and dbname fall back like libpq (OS user, then user name)", () => {
      const config = ok(parse("user='' dbname=''"))
      assert.strictEqual(config.user, "os-user")
      assert.strictEqual(config.database, "os-user")
      assert.strictEqual(ok(parse("user=alice")).database, "alice")
    })

    it("fails when no user is given and the OS user is unknown", () => {
      const error = errorOf(PgConfig.parse("host=h", hermetic({}, { osUser: undefined })))
      assert.strictEqual(error._tag, "PgConfigError")
      assert.strictEqual(error.message, "could not look up local user name")
    })
  })

  describe("environment", () => {
    it("PG* variables fill what the string leaves out", () => {
      const config = ok(parse("", {
        PGHOST: "db.example.com",
        PGPORT: "6000",
        PGUSER: "envuser",
        PGDATABASE: "envdb",
        PGPASSWORD: "envpass",
        PGAPPNAME: "envapp",
        PGOPTIONS: "-c geqo=off",
        PGSSLMODE: "require",
        PGSSLNEGOTIATION: "direct",
        PGCONNECT_TIMEOUT: "7",
        PGCLIENTENCODING: "UTF8",
        PGTARGETSESSIONATTRS: "read-write",
        PGLOADBALANCEHOSTS: "random",
        PGCHANNELBINDING: "require",
        PGREQUIREAUTH: "scram-sha-256",
        PGSSLCERT: "/c.crt",
        PGSSLKEY: "/c.key",
        PGSSLROOTCERT: "/ca.crt",
        PGSSLCRL: "/crl.pem",
        PGSSLCRLDIR: "/crls",
        PGSSLSNI: "0",
        PGSSLMINPROTOCOLVERSION: "tlsv1.3",
        PGSSLMAXPROTOCOLVERSION: "TLSv1.3",
        PGMINPROTOCOLVERSION: "3.2",
        PGGSSENCMODE: "prefer",
        PGKRBSRVNAME: "kerb",
        PGREQUIREPEER: "postgres",
        PGSSLCOMPRESSION: "1",
        PGSSLCERTMODE: "require"
      }))
      assert.deepStrictEqual(endpoints(config), [
        { host: "db.example.com", hostaddr: undefined, port: 6000, isUnixSocket: false, socketPath: undefined }
      ])
      assert.strictEqual(config.user, "envuser")
      assert.strictEqual(config.database, "envdb")
      assert.strictEqual(config.password !== undefined && Redacted.value(config.password), "envpass")
      assert.strictEqual(config.applicationName, "envapp")
      assert.strictEqual(config.options, "-c geqo=off")
      assert.strictEqual(config.sslMode, "require")
      assert.strictEqual(config.sslNegotiation, "direct")
      assert.deepStrictEqual(config.connectTimeout, Duration.seconds(7))
      assert.strictEqual(config.clientEncoding, "UTF8")
      assert.strictEqual(config.targetSessionAttrs, "read-write")
      assert.strictEqual(config.loadBalanceHosts, "random")
      assert.strictEqual(config.channelBinding, "require")
      assert.deepStrictEqual(config.requireAuth, { negated: false, methods: ["scram-sha-256"] })
      assert.strictEqual(config.sslCert, "/c.crt")
      assert.strictEqual(config.sslKey, "/c.key")
      assert.strictEqual(config.sslRootCert, "/ca.crt")
      assert.strictEqual(config.sslCrl, "/crl.pem")
      assert.strictEqual(config.sslCrlDir, "/crls")
      assert.strictEqual(config.sslSni, false)
      assert.strictEqual(config.sslMinProtocolVersion, "TLSv1.3")
      assert.strictEqual(config.sslMaxProtocolVersion, "TLSv1.3")
      assert.strictEqual(config.minProtocolVersion, "3.2")
      assert.strictEqual(config.maxProtocolVersion, "3.2")
      assert.strictEqual(config.gssEncMode, "prefer")
      assert.strictEqual(config.krbSrvName, "kerb")
      assert.strictEqual(config.requirePeer, "postgres")
      assert.strictEqual(config.sslCompression, true)
      assert.strictEqual(config.sslCertMode, "require")
    })

    it("the string wins over the environment", () => {
      const config = ok(parse("postgresql://u@h:1/d?sslmode=disable", {
        PGHOST: "envhost",
        PGPORT: "2",
        PGUSER: "envuser",
        PGDATABASE: "envdb",
        PGSSLMODE: "require"
      }))
      assert.deepStrictEqual(config.targets.map((t) => [t.host, t.port]), [["h", 1]])
      assert.strictEqual(config.user, "u")
      assert.strictEqual(config.database, "d")
      assert.strictEqual(config.sslMode, "disable")
    })

    it("a variable set to the empty string counts as set, as in libpq", () => {
      assert.strictEqual(errorOf(parse("", { PGSSLMODE: "" })).message, `invalid sslmode value: ""`)
      // PGHOST="" means "the default socket directories".
      assert.strictEqual(ok(parse("", { PGHOST: "" })).targets[0].socketPath, "/tmp/.s.PGSQL.5432")
    })

    it("PGREQUIRESSL=1 (legacy) means sslmode=require unless sslmode or PGSSLMODE is set", () => {
      assert.strictEqual(ok(parse("", { PGREQUIRESSL: "1" })).sslMode, "require")
      assert.strictEqual(ok(parse("", { PGREQUIRESSL: "0" })).sslMode, "prefer")
      assert.strictEqual(ok(parse("", { PGREQUIRESSL: "1", PGSSLMODE: "disable" })).sslMode, "disable")
      assert.strictEqual(ok(parse("sslmode=allow", { PGREQUIRESSL: "1" })).sslMode, "allow")
    })

    it("requiressl in a string rewrites sslmode", () => {
      assert.strictEqual(ok(parse("requiressl=1")).sslMode, "require")
      assert.strictEqual(ok(parse("sslmode=require requiressl=0")).sslMode, "prefer")
    })

    it("sslrootcert=system makes verify-full the default sslmode", () => {
      assert.strictEqual(ok(parse("sslrootcert=system")).sslMode, "verify-full")
      assert.strictEqual(ok(parse("", { PGSSLROOTCERT: "system" })).sslMode, "verify-full")
      assert.strictEqual(
        errorOf(parse("sslrootcert=system", { PGSSLMODE: "require" })).message,
        `weak sslmode "require" may not be used with sslrootcert=system (use "verify-full")`
      )
    })

    it("fromEnv reads only the environment", () => {
      const config = ok(PgConfig.fromEnv(hermetic({ PGHOST: "h", PGPORT: "7" })))
      assert.deepStrictEqual(config.targets.map((t) => [t.host, t.port]), [["h", 7]])
    })

    it("max_protocol_version follows min_protocol_version when not given", () => {
      assert.strictEqual(ok(parse("min_protocol_version=latest")).maxProtocolVersion, "3.2")
      assert.strictEqual(ok(parse("max_protocol_version=latest")).maxProtocolVersion, "3.2")
      assert.strictEqual(ok(parse("max_protocol_version=latest")).minProtocolVersion, "3.0")
      assert.strictEqual(ok(parse("min_protocol_version=3.0")).maxProtocolVersion, "3.0")
    })
  })

  describe("hosts and ports", () => {
    it("one port for all hosts, one per host, empty slots default to 5432", () => {
      assert.deepStrictEqual(ok(parse("host=a,b,c port=6000")).targets.map((t) => t.port), [6000, 6000, 6000])
      assert.deepStrictEqual(ok(parse("host=a,b,c port=1,2,3")).targets.map((t) => t.port), [1, 2, 3])
      assert.deepStrictEqual(ok(parse("host=a,b,c port=1,,3")).targets.map((t) => t.port), [1, 5432, 3])
      assert.deepStrictEqual(ok(parse("host=a port=")).targets.map((t) => t.port), [5432])
      assert.deepStrictEqual(ok(parse("host=a port=' 7 '")).targets.map((t) => t.port), [7])
    })

    it("expands URI host lists", () => {
      assert.deepStrictEqual(endpoints(ok(parse("postgresql://a,b:5,[::1]:7/db"))), [
        { host: "a", hostaddr: undefined, port: 5432, isUnixSocket: false, socketPath: undefined },
        { host: "b", hostaddr: undefined, port: 5, isUnixSocket: false, socketPath: undefined },
        { host: "::1", hostaddr: undefined, port: 7, isUnixSocket: false, socketPath: undefined }
      ])
    })

    it("socket directories, abstract sockets, TCP hosts and defaults", () => {
      assert.deepStrictEqual(endpoints(ok(parse("host=/var/run/pg,@abstract,db,", {}, { defaultSocketDirs: ["/tmp"] }))), [
        { host: "/var/run/pg", hostaddr: undefined, port: 5432, isUnixSocket: true, socketPath: "/var/run/pg/.s.PGSQL.5432" },
        { host: "@abstract", hostaddr: undefined, port: 5432, isUnixSocket: true, socketPath: "\0abstract/.s.PGSQL.5432" },
        { host: "db", hostaddr: undefined, port: 5432, isUnixSocket: false, socketPath: undefined },
        { host: "/tmp", hostaddr: undefined, port: 5432, isUnixSocket: true, socketPath: "/tmp/.s.PGSQL.5432" }
      ])
      assert.deepStrictEqual(
        ok(parse("postgresql://%2Fvar%2Flib%2Fpostgresql:6543/db")).targets.map((t) => t.socketPath),
        ["/var/lib/postgresql/.s.PGSQL.6543"]
      )
    })

    it("hostaddr connects by address and keeps host for TLS", () => {
      assert.deepStrictEqual(endpoints(ok(parse("host=a,b hostaddr=10.0.0.1,::1 port=1,2"))), [
        { host: "a", hostaddr: "10.0.0.1", port: 1, isUnixSocket: false, socketPath: undefined },
        { host: "b", hostaddr: "::1", port: 2, isUnixSocket: false, socketPath: undefined }
      ])
      assert.deepStrictEqual(endpoints(ok(parse("hostaddr=127.0.0.1"))), [
        { host: "", hostaddr: "127.0.0.1", port: 5432, isUnixSocket: false, socketPath: undefined }
      ])
      // An empty hostaddr element falls back to the host name.
      assert.deepStrictEqual(ok(parse("host=a,b hostaddr=10.0.0.1,")).targets.map((t) => t.hostaddr), [
        "10.0.0.1",
        undefined
      ])
    })

    it("count mismatches are errors", () => {
      assert.strictEqual(errorOf(parse("host=a,b port=1,2,3")).message, "could not match 3 port numbers to 2 hosts")
      assert.strictEqual(errorOf(parse("port=1,2")).message, "could not match 2 port numbers to 1 hosts")
      assert.strictEqual(
        errorOf(parse("host=a,b hostaddr=1.2.3.4")).message,
        "could not match 2 host names to 1 hostaddr values"
      )
      assert.strictEqual(
        errorOf(parse("hostaddr=1.2.3.4,5.6.7.8 port=1,2,3")).message,
        "could not match 3 port numbers to 2 hosts"
      )
    })

    it("bad ports and addresses are errors", () => {
      assert.strictEqual(errorOf(parse("port=abc")).message, `invalid integer value "abc" for connection option "port"`)
      assert.strictEqual(errorOf(parse("port=54999x")).message, `invalid integer value "54999x" for connection option "port"`)
      assert.strictEqual(errorOf(parse("port=70000")).message, `invalid port number: "70000"`)
      assert.strictEqual(errorOf(parse("port=0")).message, `invalid port number: "0"`)
      assert.strictEqual(errorOf(parse("host=a,b port=1,x")).message, `invalid integer value "x" for connection option "port"`)
      assert.strictEqual(errorOf(parse("hostaddr=notanip")).message, `could not parse network address "notanip"`)
      assert.strictEqual(errorOf(parse("hostaddr=notanip")).keyword, "hostaddr")
    })
  })

  describe("option values", () => {
    const invalid: ReadonlyArray<readonly [string, string]> = [
      ["sslmode=foo", `invalid sslmode value: "foo"`],
      ["sslmode=Require", `invalid sslmode value: "Require"`],
      ["sslmode=", `invalid sslmode value: ""`],
      ["channel_binding=x", `invalid channel_binding value: "x"`],
      ["target_session_attrs=bar", `invalid target_session_attrs value: "bar"`],
      ["target_session_attrs=Any", `invalid target_session_attrs value: "Any"`],
      ["load_balance_hosts=x", `invalid load_balance_hosts value: "x"`],
      ["gssencmode=x", `invalid gssencmode value: "x"`],
      ["gssencmode=require", `gssencmode value "require" invalid when GSSAPI support is not compiled in`],
      ["sslcertmode=x", `invalid sslcertmode value: "x"`],
      ["sslnegotiation=foo", `invalid sslnegotiation value: "foo"`],
      ["sslnegotiation=DIRECT sslmode=require", `invalid sslnegotiation value: "DIRECT"`],
      [
        "sslnegotiation=direct",
        `weak sslmode "prefer" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")`
      ],
      [
        "sslnegotiation=direct sslmode=allow",
        `weak sslmode "allow" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")`
      ],
      [
        "sslnegotiation=direct sslmode=disable",
        `weak sslmode "disable" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")`
      ],
      [
        "sslrootcert=system sslmode=verify-ca",
        `weak sslmode "verify-ca" may not be used with sslrootcert=system (use "verify-full")`
      ],
      ["require_auth=foo", `invalid require_auth value: "foo"`],
      ["require_auth=PASSWORD", `invalid require_auth value: "PASSWORD"`],
      ["require_auth=!", `invalid require_auth value: ""`],
      ["require_auth=,", `invalid require_auth value: ""`],
      ["require_auth=password,", `invalid require_auth value: ""`],
      ["require_auth=!password,md5", `require_auth method "md5" cannot be mixed with negative methods`],
      ["require_auth=!password,", `require_auth method "" cannot be mixed with negative methods`],
      [
        "require_auth=md5,!password",
        `negative require_auth method "!password" cannot be mixed with non-negative methods`
      ],
      ["require_auth=password,password", `require_auth method "password" is specified more than once`],
      ["require_auth=!none,!none", `require_auth method "!none" is specified more than once`],
      ["min_protocol_version=3.1", `invalid min_protocol_version value: "3.1"`],
      ["min_protocol_version=", `invalid min_protocol_version value: ""`],
      ["max_protocol_version=3", `invalid max_protocol_version value: "3"`],
      ["max_protocol_version=3.00", `invalid max_protocol_version value: "3.00"`],
      ["max_protocol_version=' 3.2'", `invalid max_protocol_version value: " 3.2"`],
      ["max_protocol_version=4.0", `invalid max_protocol_version value: "4.0"`],
      ["min_protocol_version=3.2 max_protocol_version=3.0", `"min_protocol_version" is greater than "max_protocol_version"`],
      ["min_protocol_version=latest max_protocol_version=3.0", `"min_protocol_version" is greater than "max_protocol_version"`],
      ["ssl_min_protocol_version=TLSv1.9", `invalid "ssl_min_protocol_version" value: "TLSv1.9"`],
      ["ssl_max_protocol_version=x", `invalid "ssl_max_protocol_version" value: "x"`],
      ["ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=TLSv1.2", "invalid SSL protocol version range"],
      // The default minimum is TLSv1.2.
      ["ssl_max_protocol_version=TLSv1.1", "invalid SSL protocol version range"],
      ["connect_timeout=abc", `invalid integer value "abc" for connection option "connect_timeout"`],
      ["connect_timeout=7x", `invalid integer value "7x" for connection option "connect_timeout"`],
      ["connect_timeout=0x10", `invalid integer value "0x10" for connection option "connect_timeout"`],
      ["connect_timeout=''", `invalid integer value "" for connection option "connect_timeout"`],
      ["connect_timeout=' '", `invalid integer value " " for connection option "connect_timeout"`],
      ["connect_timeout=2147483648", `invalid integer value "2147483648" for connection option "connect_timeout"`],
      ["connect_timeout=-2147483649", `invalid integer value "-2147483649" for connection option "connect_timeout"`],
      ["keepalives=x", `invalid integer value "x" for connection option "keepalives"`],
      ["keepalives_idle=x", `invalid integer value "x" for connection option "keepalives_idle"`],
      ["keepalives_interval=1.5", `invalid integer value "1.5" for connection option "keepalives_interval"`],
      ["keepalives_count=many", `invalid integer value "many" for connection option "keepalives_count"`],
      ["tcp_user_timeout=1s", `invalid integer value "1s" for connection option "tcp_user_timeout"`],
      ["replication=foo", `invalid value for parameter "replication": "foo"`],
      ["replication=o", `invalid value for parameter "replication": "o"`]
    ]
    for (const [input, message] of invalid) {
      it(`rejects ${input}`, () => {
        const error = errorOf(parse(input))
        assert.strictEqual(error._tag, "PgConfigError")
        assert.strictEqual(error.message, message)
      })
    }

    it("checks options in libpq's order (first error wins)", () => {
      assert.strictEqual(errorOf(parse("sslmode=foo channel_binding=bar")).message, `invalid channel_binding value: "bar"`)
      assert.strictEqual(errorOf(parse("require_auth=x sslmode=y")).message, `invalid require_auth value: "x"`)
      assert.strictEqual(errorOf(parse("sslnegotiation=x sslmode=y")).message, `invalid sslmode value: "y"`)
      assert.strictEqual(
        errorOf(parse("ssl_max_protocol_version=x ssl_min_protocol_version=y")).message,
        `invalid "ssl_min_protocol_version" value: "y"`
      )
      assert.strictEqual(errorOf(parse("gssencmode=x sslcertmode=y")).message, `invalid sslcertmode value: "y"`)
      assert.strictEqual(errorOf(parse("target_session_attrs=x gssencmode=y")).message, `invalid gssencmode value: "y"`)
      assert.strictEqual(
        errorOf(parse("min_protocol_version=x load_balance_hosts=y")).message,
        `invalid load_balance_hosts value: "y"`
      )
      assert.strictEqual(errorOf(parse("host=a,b port=1,2,3 sslmode=x")).message, "could not match 3 port numbers to 2 hosts")
    })

    it("parses integers like strtol with surrounding whitespace", () => {
      assert.deepStrictEqual(ok(parse("connect_timeout=' 7 '")).connectTimeout, Duration.seconds(7))
      assert.deepStrictEqual(ok(parse("connect_timeout=+5")).connectTimeout, Duration.seconds(5))
      // libpq 18 has no 2-second minimum any more: 1 means one second.
      assert.deepStrictEqual(ok(parse("connect_timeout=1")).connectTimeout, Duration.seconds(1))
      assert.strictEqual(ok(parse("connect_timeout=0")).connectTimeout, undefined)
      assert.strictEqual(ok(parse("connect_timeout=-5")).connectTimeout, undefined)
      assert.deepStrictEqual(ok(parse("connect_timeout=2147483647")).connectTimeout, Duration.seconds(2147483647))
    })

    it("types TCP keepalive settings", () => {
      const config = ok(parse("keepalives=0 keepalives_idle=30 keepalives_interval=5 keepalives_count=3 tcp_user_timeout=2500"))
      assert.strictEqual(config.keepalives, false)
      assert.deepStrictEqual(config.keepalivesIdle, Duration.seconds(30))
      assert.deepStrictEqual(config.keepalivesInterval, Duration.seconds(5))
      assert.strictEqual(config.keepalivesCount, 3)
      assert.deepStrictEqual(config.tcpUserTimeout, Duration.millis(2500))
      const negative = ok(parse("keepalives=7 keepalives_idle=-1 keepalives_count=0 tcp_user_timeout=-5"))
      assert.strictEqual(negative.keepalives, true)
      assert.strictEqual(negative.keepalivesIdle, undefined)
      assert.strictEqual(negative.keepalivesCount, undefined)
      assert.strictEqual(negative.tcpUserTimeout, undefined)
    })

    it("parses require_auth lists", () => {
      assert.deepStrictEqual(ok(parse("require_auth=scram-sha-256,password")).requireAuth, {
        negated: false,
        methods: ["scram-sha-256", "password"]
      })
      assert.deepStrictEqual(ok(parse("require_auth=!password,!md5")).requireAuth, {
        negated: true,
        methods: ["password", "md5"]
      })
      assert.deepStrictEqual(ok(parse("require_auth=none,oauth,gss,sspi")).requireAuth, {
        negated: false,
        methods: ["none", "oauth", "gss", "sspi"]
      })
      assert.strictEqual(ok(parse("require_auth=")).requireAuth, undefined)
    })

    it("parses flags, TLS versions and replication", () => {
      const config = ok(parse("sslsni=0 sslcompression=1 gssdelegation=1 ssl_min_protocol_version=tlsv1.3 ssl_max_protocol_version=''"))
      assert.strictEqual(config.sslSni, false)
      assert.strictEqual(config.sslCompression, true)
      assert.strictEqual(config.gssDelegation, true)
      assert.strictEqual(config.sslMinProtocolVersion, "TLSv1.3")
      assert.strictEqual(config.sslMaxProtocolVersion, undefined)
      assert.strictEqual(ok(parse("ssl_min_protocol_version=''")).sslMinProtocolVersion, undefined)
      assert.strictEqual(ok(parse("replication=database")).replication, "database")
      assert.strictEqual(ok(parse("replication=true")).replication, true)
      assert.strictEqual(ok(parse("replication=ON")).replication, true)
      assert.strictEqual(ok(parse("replication=of")).replication, false)
      assert.strictEqual(ok(parse("replication=0")).replication, false)
      assert.strictEqual(ok(parse("replication=y")).replication, true)
      assert.strictEqual(ok(parse("gssencmode=prefer")).gssEncMode, "prefer")
    })

    it("keeps the less common keywords", () => {
      const config = ok(parse(
        "fallback_application_name=fb client_encoding=auto gsslib=gssapi krbsrvname=k sslkeylogfile=/k " +
          "oauth_issuer=https://i oauth_client_id=c oauth_scope=s requirepeer=pg passfile=/pf"
      ))
      assert.strictEqual(config.fallbackApplicationName, "fb")
      assert.strictEqual(config.clientEncoding, "auto")
      assert.strictEqual(config.gssLib, "gssapi")
      assert.strictEqual(config.krbSrvName, "k")
      assert.strictEqual(config.sslKeyLogFile, "/k")
      assert.strictEqual(config.oauthIssuer, "https://i")
      assert.strictEqual(config.oauthClientId, "c")
      assert.strictEqual(config.oauthScope, "s")
      assert.strictEqual(config.requirePeer, "pg")
      assert.strictEqual(config.passfile, "/pf")
    })
  })

  describe("secrets", () => {
    const input = "postgresql://alice:hunter2@db/app?sslpassword=keypass2&scram_client_key=c2NyYW0yMg&oauth_client_secret=oauth22"
    const secrets = ["hunter2", "keypass2", "c2NyYW0yMg", "oauth22"]

    it("are Redacted in the config and its keyword map", () => {
      const config = ok(parse(input))
      assert.isTrue(config.password !== undefined && Redacted.isRedacted(config.password))
      assert.strictEqual(Redacted.value(config.password!), "hunter2")
      assert.strictEqual(Redacted.value(config.targets[0].password!), "hunter2")
      assert.isFalse(config.targets[0].passwordFromFile)
      assert.strictEqual(Redacted.value(config.sslPassword!), "keypass2")
      assert.strictEqual(Redacted.value(config.scramClientKey!), "c2NyYW0yMg")
      assert.strictEqual(Redacted.value(config.oauthClientSecret!), "oauth22")
      assert.isTrue(Redacted.isRedacted(config.keywords.password))
      assert.isTrue(Redacted.isRedacted(config.keywords.sslpassword))
      assert.strictEqual(config.keywords.user, "alice")
    })

    it("never show up in String, JSON or inspection output", () => {
      const config = ok(parse(input))
      for (const text of [String(config), JSON.stringify(config), JSON.stringify(config.targets), String(config.password)]) {
        for (const secret of secrets) assert.notInclude(text, secret)
      }
      assert.include(JSON.stringify(config), "<redacted>")
    })

    it("never show up in validation errors", () => {
      for (const bad of [`${input}&sslmode=bogus`, `${input}&port=x`, `${input}&sslnegotiation=direct`]) {
        const error = errorOf(parse(bad))
        for (const text of [error.message, String(error), JSON.stringify(error)]) {
          for (const secret of secrets) assert.notInclude(text, secret)
        }
      }
    })

    it("accepts a Redacted connection string", () => {
      const config = ok(PgConfig.parse(Redacted.make("postgresql://u:pw@h/d"), hermetic()))
      assert.strictEqual(Redacted.value(config.password!), "pw")
    })
  })

  describe("make (typed input)", () => {
    it("maps fields to keywords and validates them the same way", () => {
      const config = ok(PgConfig.make({
        host: ["db1", "db2", "/sock"],
        port: [5432, "6432", 7000],
        user: "app",
        database: "shop",
        password: Redacted.make("pw"),
        connectTimeout: Duration.millis(1500),
        keepalives: false,
        keepalivesIdle: 60,
        tcpUserTimeout: Duration.seconds(2),
        sslMode: "verify-full",
        sslSni: false,
        requireAuth: { negated: true, methods: ["password", "md5"] },
        targetSessionAttrs: "prefer-standby",
        loadBalanceHosts: "random",
        replication: "database",
        maxProtocolVersion: "latest",
        applicationName: "svc"
      }, hermetic()))
      assert.deepStrictEqual(config.targets.map((t) => [t.host, t.port, t.isUnixSocket]), [
        ["db1", 5432, false],
        ["db2", 6432, false],
        ["/sock", 7000, true]
      ])
      assert.strictEqual(config.user, "app")
      assert.strictEqual(config.database, "shop")
      assert.strictEqual(Redacted.value(config.password!), "pw")
      assert.deepStrictEqual(config.connectTimeout, Duration.seconds(2)) // whole seconds, rounded up
      assert.strictEqual(config.keepalives, false)
      assert.deepStrictEqual(config.keepalivesIdle, Duration.seconds(60))
      assert.deepStrictEqual(config.tcpUserTimeout, Duration.millis(2000))
      assert.strictEqual(config.sslMode, "verify-full")
      assert.strictEqual(config.sslSni, false)
      assert.deepStrictEqual(config.requireAuth, { negated: true, methods: ["password", "md5"] })
      assert.strictEqual(config.targetSessionAttrs, "prefer-standby")
      assert.strictEqual(config.loadBalanceHosts, "random")
      assert.strictEqual(config.replication, "database")
      assert.strictEqual(config.maxProtocolVersion, "3.2")
      assert.strictEqual(config.applicationName, "svc")
    })

    it("fields override the connection string, which overrides the environment", () => {
      const config = ok(PgConfig.make(
        { connectionString: "postgresql://u@h:1/d?application_name=fromurl", port: 2, applicationName: undefined },
        hermetic({ PGAPPNAME: "fromenv", PGDATABASE: "envdb" })
      ))
      assert.deepStrictEqual(config.targets.map((t) => [t.host, t.port]), [["h", 2]])
      assert.strictEqual(config.applicationName, "fromurl")
      assert.strictEqual(config.database, "d")
    })

    it("reports the same errors as strings", () => {
      assert.strictEqual(
        errorOf(PgConfig.make({ host: ["a", "b"], port: [1, 2, 3] }, hermetic())).message,
        "could not match 3 port numbers to 2 hosts"
      )
      assert.strictEqual(
        errorOf(PgConfig.make({ sslMode: "bogus" as PgConfig.SslMode }, hermetic())).message,
        `invalid sslmode value: "bogus"`
      )
      assert.strictEqual(
        errorOf(PgConfig.make({ connectionString: "postgresql://h?x=1" }, hermetic())).message,
        `invalid URI query parameter: "x"`
      )
    })
  })

  describe("load (Effect)", () => {
    it.effect("succeeds with a config", () =>
      Effect.gen(function*() {
        const config = yield* PgConfig.load("host=h port=9", hermetic())
        assert.deepStrictEqual(config.targets.map((t) => [t.host, t.port]), [["h", 9]])
        const fromObject = yield* PgConfig.load({ host: "o" }, hermetic())
        assert.strictEqual(fromObject.targets[0].host, "o")
      }))

    it.effect("fails with a ConfigError", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(PgConfig.load("sslmode=nope", hermetic()))
        assert.strictEqual(error._tag, "PgConfigError")
        assert.strictEqual(error.message, `invalid sslmode value: "nope"`)
        assert.strictEqual(error.keyword, "sslmode")
      }))
  })

  it("lists keywords in libpq's order", () => {
    assert.deepStrictEqual(PgConfig.keywords.slice(0, 10), [
      "service",
      "user",
      "password",
      "passfile",
      "channel_binding",
      "connect_timeout",
      "dbname",
      "host",
      "hostaddr",
      "port"
    ])
    assert.strictEqual(PgConfig.keywords.length, 50)
    assert.isTrue(PgConfig.isSecret("password"))
    assert.isFalse(PgConfig.isSecret("user"))
  })
})
