import { APPEND_ONLY_TABLES, appendOnlyPrivilegeStatements, quoteIdentifier } from './migrator';

describe('append-only privileges for DATABASE_APP_ROLE', () => {
  it('revokes UPDATE, DELETE and TRUNCATE and grants SELECT and INSERT on the append-only tables', () => {
    expect(appendOnlyPrivilegeStatements('daiyun_app', APPEND_ONLY_TABLES)).toEqual([
      'REVOKE UPDATE, DELETE, TRUNCATE ON TABLE "operation_logs", "account_usage_records", ' +
        '"account_usage_checkpoints" FROM "daiyun_app"',
      'GRANT SELECT, INSERT ON TABLE "operation_logs", "account_usage_records", ' +
        '"account_usage_checkpoints" TO "daiyun_app"',
    ]);
  });

  it('quotes identifiers so that no name can break out of them', () => {
    expect(quoteIdentifier('app')).toBe('"app"');
    expect(quoteIdentifier('Mixed Case')).toBe('"Mixed Case"');
    expect(quoteIdentifier('x"; DROP TABLE users; --')).toBe('"x""; DROP TABLE users; --"');
    expect(() => quoteIdentifier('')).toThrow(/Invalid/);
    expect(() => quoteIdentifier('a'.repeat(64))).toThrow(/Invalid/);
    expect(() => quoteIdentifier('a\0b')).toThrow(/Invalid/);
  });

  it('has nothing to do when none of the tables exist', () => {
    expect(appendOnlyPrivilegeStatements('app', [])).toEqual([]);
  });
});
