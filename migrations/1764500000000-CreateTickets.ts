import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer-service tickets: the ticket, its history of transitions, its messages and what the channel
 * connectors delivered, unit queues with their auto-assignment, canned replies, after-sales steps and
 * follow-ups, the organization's ticket settings and the used inbound challenges.
 *
 * `customer_id` has no foreign key: the CRM module owns customer profiles and talks to tickets through
 * its exported directory, and a profile merge re-points tickets through that module.
 */
export class CreateTickets1764500000000 implements MigrationInterface {
  name = 'CreateTickets1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tickets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        unit_id uuid NOT NULL,
        assignee_id uuid REFERENCES users(id),
        type varchar(16) NOT NULL CHECK (type IN ('consultation', 'complaint', 'after_sales')),
        after_sales_kind varchar(16)
          CHECK (after_sales_kind IN ('repair', 'replace', 'return', 'usage_guidance', 'parts')),
        channel varchar(16) NOT NULL CHECK (channel IN ('phone', 'web', 'email', 'douyin_dm', 'wechat', 'api')),
        customer_id uuid,
        contact jsonb NOT NULL DEFAULT '{}',
        subject varchar(200) NOT NULL,
        description text NOT NULL DEFAULT '',
        priority varchar(8) NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
        tags text[] NOT NULL DEFAULT '{}',
        brand_org_id uuid REFERENCES organizations(id),
        social_account_id uuid,
        order_ref varchar(100),
        campaign_ref varchar(100),
        ad_ref varchar(100),
        product_ref varchar(100),
        solution text,
        parts jsonb NOT NULL DEFAULT '[]',
        state varchar(20) NOT NULL DEFAULT 'new'
          CHECK (state IN ('new', 'open', 'pending_customer', 'escalated', 'reopened', 'resolved', 'closed')),
        state_changed_at timestamptz(3) NOT NULL,
        resolved_at timestamptz(3),
        closed_at timestamptz(3),
        previous_ticket_id uuid,
        identity_method varchar(24)
          CHECK (identity_method IN ('account_login', 'order_number', 'phone_verification', 'not_needed')),
        identity_note varchar(500),
        identity_checked_by uuid REFERENCES users(id),
        identity_checked_at timestamptz(3),
        source varchar(16) NOT NULL CHECK (source IN ('member', 'api_key', 'public')),
        created_by uuid REFERENCES users(id),
        created_by_api_key uuid,
        created_at timestamptz(3) NOT NULL,
        updated_at timestamptz(3) NOT NULL,
        version integer NOT NULL DEFAULT 1,
        UNIQUE (org_id, id),
        FOREIGN KEY (org_id, unit_id) REFERENCES org_units (org_id, id),
        FOREIGN KEY (org_id, previous_ticket_id) REFERENCES tickets (org_id, id),
        CHECK ((type = 'after_sales') = (after_sales_kind IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX tickets_org_created_idx ON tickets (org_id, created_at, id)`);
    await q.query(`CREATE INDEX tickets_org_unit_created_idx ON tickets (org_id, unit_id, created_at, id)`);
    await q.query(`CREATE INDEX tickets_org_assignee_idx ON tickets (org_id, assignee_id, state)`);
    await q.query(`CREATE INDEX tickets_org_customer_idx ON tickets (org_id, customer_id)`);
    await q.query(`CREATE INDEX tickets_tags_gin ON tickets USING gin (tags)`);

    await q.query(`
      CREATE TABLE ticket_events (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        org_id uuid NOT NULL,
        ticket_id uuid NOT NULL,
        action varchar(40) NOT NULL,
        from_state varchar(20),
        to_state varchar(20) NOT NULL,
        actor_kind varchar(16) NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'customer', 'system')),
        actor_user_id uuid,
        actor_api_key_id uuid,
        reason varchar(1000),
        data jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz(3) NOT NULL,
        FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, seq)`);

    await q.query(`
      CREATE TABLE ticket_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL,
        ticket_id uuid NOT NULL,
        kind varchar(16) NOT NULL CHECK (kind IN ('public_reply', 'internal_note', 'customer_reply')),
        author_user_id uuid REFERENCES users(id),
        body text NOT NULL,
        attachments jsonb NOT NULL DEFAULT '[]',
        canned_reply_id uuid,
        connector varchar(16),
        outbox_event_id bigint,
        delivered_at timestamptz(3),
        created_at timestamptz(3) NOT NULL,
        FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ticket_messages_ticket_idx ON ticket_messages (ticket_id, created_at, id)`);

    await q.query(`
      CREATE TABLE ticket_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL,
        ticket_id uuid NOT NULL,
        message_id uuid NOT NULL UNIQUE REFERENCES ticket_messages(id) ON DELETE CASCADE,
        connector varchar(16) NOT NULL CHECK (connector IN ('sandbox', 'email')),
        channel varchar(16) NOT NULL,
        recipient varchar(320),
        subject varchar(300) NOT NULL,
        body text NOT NULL,
        provider_message_id varchar(300),
        created_at timestamptz(3) NOT NULL,
        FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ticket_deliveries_ticket_idx ON ticket_deliveries (ticket_id, created_at)`);

    await q.query(`
      CREATE TABLE ticket_queues (
        org_id uuid NOT NULL,
        unit_id uuid NOT NULL,
        auto_assign varchar(16) NOT NULL DEFAULT 'none' CHECK (auto_assign IN ('none', 'round_robin', 'least_loaded')),
        last_assigned_user_id uuid,
        updated_at timestamptz(3) NOT NULL,
        version integer NOT NULL DEFAULT 1,
        PRIMARY KEY (org_id, unit_id),
        FOREIGN KEY (org_id, unit_id) REFERENCES org_units (org_id, id) ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE ticket_settings (
        org_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
        follow_up_days integer NOT NULL DEFAULT 3 CHECK (follow_up_days BETWEEN 1 AND 90),
        inbound_unit_id uuid,
        updated_at timestamptz(3) NOT NULL,
        version integer NOT NULL DEFAULT 1,
        FOREIGN KEY (org_id, inbound_unit_id) REFERENCES org_units (org_id, id)
      )`);

    await q.query(`
      CREATE TABLE canned_replies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        body text NOT NULL,
        created_by uuid REFERENCES users(id),
        created_at timestamptz(3) NOT NULL,
        updated_at timestamptz(3) NOT NULL,
        version integer NOT NULL DEFAULT 1,
        UNIQUE (org_id, id)
      )`);
    await q.query(`CREATE UNIQUE INDEX canned_replies_name_key ON canned_replies (org_id, lower(name))`);

    await q.query(`
      CREATE TABLE ticket_steps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL,
        ticket_id uuid NOT NULL,
        position integer NOT NULL,
        title varchar(200) NOT NULL,
        responsible_id uuid REFERENCES users(id),
        due_at timestamptz(3),
        done_at timestamptz(3),
        done_by uuid REFERENCES users(id),
        created_at timestamptz(3) NOT NULL,
        updated_at timestamptz(3) NOT NULL,
        FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ticket_steps_ticket_idx ON ticket_steps (ticket_id, position)`);

    // One follow-up per resolution: resolution_seq is the ticket_events row of the resolve.
    await q.query(`
      CREATE TABLE ticket_follow_ups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL,
        ticket_id uuid NOT NULL,
        resolution_seq bigint NOT NULL UNIQUE,
        assignee_id uuid REFERENCES users(id),
        status varchar(12) NOT NULL CHECK (status IN ('scheduled', 'open', 'done', 'cancelled')),
        due_at timestamptz(3) NOT NULL,
        opened_at timestamptz(3),
        done_at timestamptz(3),
        done_by uuid REFERENCES users(id),
        note varchar(1000),
        created_at timestamptz(3) NOT NULL,
        FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX ticket_follow_ups_due_idx ON ticket_follow_ups (due_at) WHERE status = 'scheduled'`,
    );
    await q.query(`CREATE INDEX ticket_follow_ups_org_idx ON ticket_follow_ups (org_id, status, due_at, id)`);

    // A challenge is issued statelessly (signed); only its use is stored, so a replay is refused.
    await q.query(`
      CREATE TABLE ticket_challenge_uses (
        challenge_id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        used_at timestamptz(3) NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'ticket_challenge_uses',
      'ticket_follow_ups',
      'ticket_steps',
      'canned_replies',
      'ticket_settings',
      'ticket_queues',
      'ticket_deliveries',
      'ticket_messages',
      'ticket_events',
      'tickets',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
