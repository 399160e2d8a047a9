/**
 * Free loopback ports, chosen by the OS: listen on port 0, read the port, close. Also detects
 * whether IPv6 loopback (`::1`) is usable, so the server only listens where it can.
 *
 * @since 0.1.0
 */
import * as net from "node:net"

const listenOnce = (host: string, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once("error", reject)
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address()
      const bound = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(bound))
    })
  })

/**
 * Whether a socket can listen on `::1`.
 *
 * @category ports
 * @since 0.1.0
 */
export const hasIpv6Loopback = async (): Promise<boolean> => {
  try {
    await listenOnce("::1", 0)
    return true
  } catch {
    return false
  }
}

/**
 * A port that is free on every host in `hosts` (the first host picks it, the others confirm it).
 * There is a short race until the server binds it; callers retry on "address in use".
 *
 * @category ports
 * @since 0.1.0
 */
export const freePort = async (hosts: ReadonlyArray<string>): Promise<number> => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await listenOnce(hosts[0] ?? "127.0.0.1", 0)
    let free = true
    for (const host of hosts.slice(1)) {
      try {
        await listenOnce(host, port)
      } catch {
        free = false
        break
      }
    }
    if (free) return port
  }
  throw new Error(`could not find a port free on ${hosts.join(", ")}`)
}
