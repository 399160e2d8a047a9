import { defineConfig } from "vitest/config"

/**
 * Two projects:
 * - `unit`: offline tests (no server), `*.test.ts` that are not `*.integration.test.ts`.
 * - `integration`: tests against a real PostgreSQL. The global setup starts the embedded server
 *   (or uses `DATABASE_URL`/`PG*` when set) once for the whole run and stops it afterwards.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts", "test/unit/**/*.test.ts"],
          exclude: ["**/*.integration.test.ts", "**/node_modules/**"],
          testTimeout: 60_000
        }
      },
      {
        test: {
          name: "integration",
          include: ["packages/*/test/**/*.integration.test.ts", "test/integration/**/*.test.ts", "examples/**/*.test.ts"],
          globalSetup: ["./test/src/globalSetup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000
        }
      }
    ]
  }
})
