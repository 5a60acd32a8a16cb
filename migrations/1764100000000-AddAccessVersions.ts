import { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables whose rows decide what a member may do in an organization. */
const ACCESS_TABLES = ['access_grants', 'org_members', 'roles', 'org_units'];

/**
 * An access version per organization, so that API processes may keep what a member holds in memory
 * and still apply any change on the very next request (docs/permissions.md, "Caching the grants").
 *
 * `org_access_versions.version` takes a new value of one global sequence whenever a row of
 * access_grants, org_members, roles or org_units of that organization is inserted, updated or deleted.
 * Triggers do it, so no code path (a service, a job, a manual fix in psql) can change access without
 * it. They are deferred constraint triggers: the bump runs at commit, inside the changing transaction
 * (both commit or neither), and the version row stays locked only for the commit itself, so
 * concurrent changes in one organization don't deadlock on it mid-transaction. A sequence, not a
 * counter per row: a value is never handed out twice, even after an organization is deleted.
 *
 * Also: members' `joined_at` at millisecond precision (the precision of the cursors that page by it),
 * so the members list orders and seeks on the column itself and its index serves the order, rather
 * than on `date_trunc('milliseconds', joined_at)`, which no index can serve.
 */
export class AddAccessVersions1764100000000 implements MigrationInterface {
  name = 'AddAccessVersions1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE access_version_seq`);
    await q.query(`
      CREATE TABLE org_access_versions (
        org_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
        version bigint NOT NULL
      )`);
    await q.query(
      `INSERT INTO org_access_versions (org_id, version) SELECT id, nextval('access_version_seq') FROM organizations`,
    );
    await q.query(`
      CREATE FUNCTION create_org_access_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO org_access_versions (org_id, version) VALUES (NEW.id, nextval('access_version_seq'));
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER organizations_access_version AFTER INSERT ON organizations
      FOR EACH ROW EXECUTE FUNCTION create_org_access_version()`);
    // An UPDATE, not an upsert: while an organization is deleted (cascading to these tables) its
    // version row is gone, and there is nothing left to invalidate.
    await q.query(`
      CREATE FUNCTION bump_org_access_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          UPDATE org_access_versions SET version = nextval('access_version_seq') WHERE org_id = OLD.org_id;
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.org_id IS DISTINCT FROM OLD.org_id) THEN
          UPDATE org_access_versions SET version = nextval('access_version_seq') WHERE org_id = NEW.org_id;
        END IF;
        RETURN NULL;
      END $$`);
    // TRUNCATE fires no row triggers; it is no app operation, but a manual one must not leave caches valid.
    await q.query(`
      CREATE FUNCTION bump_all_org_access_versions() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE org_access_versions SET version = nextval('access_version_seq');
        RETURN NULL;
      END $$`);
    for (const table of ACCESS_TABLES) {
      await q.query(`
        CREATE CONSTRAINT TRIGGER ${table}_access_version AFTER INSERT OR UPDATE OR DELETE ON ${table}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_org_access_version()`);
      await q.query(`
        CREATE TRIGGER ${table}_truncate_access_version AFTER TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION bump_all_org_access_versions()`);
    }

    await q.query(
      `ALTER TABLE org_members ALTER COLUMN joined_at TYPE timestamptz(3) USING date_trunc('milliseconds', joined_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE org_members ALTER COLUMN joined_at TYPE timestamptz`);
    for (const table of ACCESS_TABLES) {
      await q.query(`DROP TRIGGER ${table}_truncate_access_version ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_access_version ON ${table}`);
    }
    await q.query(`DROP FUNCTION bump_all_org_access_versions()`);
    await q.query(`DROP FUNCTION bump_org_access_version()`);
    await q.query(`DROP TRIGGER organizations_access_version ON organizations`);
    await q.query(`DROP FUNCTION create_org_access_version()`);
    await q.query(`DROP TABLE org_access_versions`);
    await q.query(`DROP SEQUENCE access_version_seq`);
  }
}
