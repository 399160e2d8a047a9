/**
 * The accepted values of the enumerated keywords (`sslmode`, `sslnegotiation`, `sslcertmode`,
 * `gssencmode`, `channel_binding`, `target_session_attrs`, `load_balance_hosts`) and the
 * authentication methods `require_auth` names. `PgConfig` re-exports them and derives its value
 * types from them.
 *
 * @since 0.1.0
 */

/**
 * The accepted `sslmode` values, weakest first.
 *
 * @category constants
 * @since 0.1.0
 */
export const sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const

/**
 * The accepted `sslnegotiation` values.
 *
 * @category constants
 * @since 0.1.0
 */
export const sslNegotiations = ["postgres", "direct"] as const

/**
 * The accepted `sslcertmode` values.
 *
 * @category constants
 * @since 0.1.0
 */
export const sslCertModes = ["disable", "allow", "require"] as const

/**
 * The accepted `gssencmode` values.
 *
 * @category constants
 * @since 0.1.0
 */
export const gssEncModes = ["disable", "prefer", "require"] as const

/**
 * The accepted `channel_binding` values.
 *
 * @category constants
 * @since 0.1.0
 */
export const channelBindings = ["disable", "prefer", "require"] as const

/**
 * The accepted `target_session_attrs` values.
 *
 * @category constants
 * @since 0.1.0
 */
export const targetSessionAttrsValues = [
  "any",
  "read-write",
  "read-only",
  "primary",
  "standby",
  "prefer-standby"
] as const

/**
 * The accepted `load_balance_hosts` values.
 *
 * @category constants
 * @since 0.1.0
 */
export const loadBalanceHostsValues = ["disable", "random"] as const

/**
 * The authentication methods `require_auth` names.
 *
 * @category constants
 * @since 0.1.0
 */
export const authMethods = ["password", "md5", "gss", "sspi", "scram-sha-256", "oauth", "none"] as const
