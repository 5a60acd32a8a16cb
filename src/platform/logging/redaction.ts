const SECRET_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'secret',
  'idNumber',
  'credentials',
  'credential',
  'authorization',
];

/**
 * Fields never written to logs, at any of the depths our log objects use. The verification-code
 * log line deliberately keeps `code`: in development that line is the delivery channel.
 */
export const REDACTED_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];
