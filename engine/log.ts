import { pino, type Logger } from "pino";

export type { Logger };

/**
 * The process logger. Structured JSON lines on stderr; `debug` lowers the level.
 * Secrets never reach it: records are redacted by key name as a last line of defence,
 * and callers log ids (node, request, build, provider), never credentials.
 */
export function createLogger(options: { name: string; debug?: boolean; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      name: options.name,
      level: options.debug ? "debug" : (process.env.NODEPOOL_LOG_LEVEL ?? "info"),
      redact: {
        paths: ["password", "*.password", "*.*.password", "auth", "*.auth", "secret", "*.secret", "token", "*.token"],
        censor: "********",
      },
    },
    options.destination ?? pino.destination(2),
  );
}
