/**
 * Expands the comma-separated `host`, `hostaddr` and `port` lists into one entry per server,
 * with libpq's counting rules:
 *
 * - the number of servers is the length of `hostaddr` when given, else of `host`, else 1;
 * - when both `host` and `hostaddr` are given their lengths must agree;
 * - `port` is one value for every server or one per server; an empty element means 5432;
 * - a port must be an integer in 1..65535; a `hostaddr` element must be a numeric IP address.
 *
 * @since 0.1.0
 */
import { isIP } from "node:net"
import * as Result from "effect/Result"
import { type ConfigError, fail } from "./conninfoError.ts"
import { parseInt32 } from "./conninfoValues.ts"

/**
 * One server as the lists describe it (before default socket directories are applied).
 *
 * @category internal
 * @since 0.1.0
 */
export interface HostSpec {
  /** Host name, IP literal or socket directory; `""` when not given for this entry. */
  readonly host: string
  /** Numeric address; `""` when not given for this entry. */
  readonly hostaddr: string
  readonly port: number
  /** The port as written (`"5432"` when defaulted), for password-file matching. */
  readonly portText: string
}

/**
 * Splits a keyword list the way libpq counts it (`"a,"` has two elements).
 *
 * @category internal
 * @since 0.1.0
 */
export const splitList = (value: string): Array<string> => value.split(",")

/**
 * Expands the lists; `undefined` and `""` both mean "not given".
 *
 * @category internal
 * @since 0.1.0
 */
export const expandHosts = (
  host: string | undefined,
  hostaddr: string | undefined,
  port: string | undefined
): Result.Result<ReadonlyArray<HostSpec>, ConfigError> => {
  const hosts = host === undefined || host === "" ? undefined : splitList(host)
  const addrs = hostaddr === undefined || hostaddr === "" ? undefined : splitList(hostaddr)
  const count = addrs?.length ?? hosts?.length ?? 1
  if (hosts !== undefined && addrs !== undefined && hosts.length !== addrs.length) {
    return fail(`could not match ${hosts.length} host names to ${addrs.length} hostaddr values`, "hostaddr")
  }
  const ports = port === undefined || port === "" ? undefined : splitList(port)
  if (ports !== undefined && ports.length !== 1 && ports.length !== count) {
    return fail(`could not match ${ports.length} port numbers to ${count} hosts`, "port")
  }

  const specs: Array<HostSpec> = []
  for (let i = 0; i < count; i++) {
    const portElement = ports === undefined ? "" : ports.length === 1 ? ports[0] : ports[i]
    const portText = portElement === "" ? "5432" : portElement
    const portNumber = Result.getOrUndefined(parseInt32("port", portText))
    if (portNumber === undefined) {
      return fail(`invalid integer value "${portText}" for connection option "port"`, "port")
    }
    if (portNumber < 1 || portNumber > 65535) {
      return fail(`invalid port number: "${portText}"`, "port")
    }
    const addr = addrs?.[i] ?? ""
    if (addr !== "" && isIP(addr) === 0) {
      return fail(`could not parse network address "${addr}"`, "hostaddr")
    }
    specs.push({ host: hosts?.[i] ?? "", hostaddr: addr, port: portNumber, portText })
  }
  return Result.succeed(specs)
}
