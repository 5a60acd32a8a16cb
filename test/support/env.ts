// Test defaults; a test file may change them before it creates its app.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
process.env.RATE_LIMIT_PER_MINUTE ??= '0';
process.env.OUTBOX_POLL_SECONDS ??= '0.5';
