import pino from 'pino';

/**
 * Process logger (API, worker, launcher). Structured JSON on stderr; fields that could carry a secret are
 * redacted wherever they appear, as a second line of defence behind never logging them at all.
 */
export function createLogger(name: string, level = process.env.SENSEI_LOG_LEVEL ?? 'info') {
  return pino(
    {
      name,
      level,
      redact: {
        paths: [
          'connection_string',
          '*.connection_string',
          '*.*.connection_string',
          'connectionString',
          '*.connectionString',
          'password',
          '*.password',
          'req.headers.authorization',
          'authorization',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination(2),
  );
}

export type Logger = ReturnType<typeof createLogger>;
