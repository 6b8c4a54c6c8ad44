-- The fleet's first schema: machines and what they report, the sales they made, alerts,
-- catalog versions sent down, and the operators who will log in.

CREATE TABLE machines (
  pos_id        text PRIMARY KEY CHECK (pos_id ~ '^[A-Za-z0-9-]{1,24}$' AND pos_id <> 'fleet'),
  password_hash text NOT NULL,
  hmac_key      text NOT NULL CHECK (hmac_key ~ '^[0-9a-f]{64}$'),
  created_at    timestamptz NOT NULL DEFAULT now(),
  online        boolean NOT NULL DEFAULT false,
  online_since  timestamptz,
  last_seen     timestamptz,
  -- From the last hello.
  firmware      text,
  config_hash   text,
  boot_count    integer,
  -- From the last heartbeat.
  screen        text,
  in_service    boolean,
  reason        text,
  queue         integer,
  pending       integer,
  late          integer,
  overdue       integer,
  heap          integer,
  rssi          integer,
  seq           integer,
  acked         integer,
  lost          integer
);

-- One row per machine and payment reference: the newest event (highest seq) wins.
CREATE TABLE sales (
  pos_id      text NOT NULL REFERENCES machines (pos_id),
  reference   text NOT NULL,
  seq         integer NOT NULL CHECK (seq >= 1),
  -- When the sale began, the machine's epoch seconds (0: its clock was not set).
  sale_time   bigint NOT NULL CHECK (sale_time >= 0),
  product     text NOT NULL,
  amount      integer NOT NULL CHECK (amount >= 0),
  currency    text NOT NULL CHECK (currency IN ('NOK', 'DKK', 'EUR')),
  outcome     text NOT NULL CHECK (outcome IN ('captured', 'capture-pending', 'capture-overdue',
                'capture-expired', 'cancelled', 'cancel-pending', 'aborted', 'expired',
                'terminated', 'failed', 'refunded')),
  received_at timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pos_id, reference),
  CHECK (starts_with(reference, pos_id || '-'))
);

-- Sales are the operator's accounts: never deleted, whoever asks.
CREATE FUNCTION sales_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'sales are never deleted';
END;
$$;
CREATE TRIGGER sales_no_delete BEFORE DELETE ON sales
  FOR EACH ROW EXECUTE FUNCTION sales_refuse_delete();
CREATE TRIGGER sales_no_truncate BEFORE TRUNCATE ON sales
  FOR EACH STATEMENT EXECUTE FUNCTION sales_refuse_delete();

CREATE TABLE heartbeats (
  pos_id      text NOT NULL REFERENCES machines (pos_id),
  received_at timestamptz NOT NULL DEFAULT now(),
  fields      jsonb NOT NULL CHECK (jsonb_typeof(fields) = 'object')
);
CREATE INDEX heartbeats_by_machine ON heartbeats (pos_id, received_at);

CREATE TABLE alerts (
  id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pos_id    text NOT NULL REFERENCES machines (pos_id),
  kind      text NOT NULL CHECK (kind IN ('out-of-service', 'capture-late', 'capture-overdue', 'journal')),
  detail    text NOT NULL,
  opened_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  CHECK (closed_at IS NULL OR closed_at >= opened_at)
);
-- At most one open alert per machine and kind.
CREATE UNIQUE INDEX alerts_one_open ON alerts (pos_id, kind) WHERE closed_at IS NULL;

CREATE TABLE config_versions (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pos_id       text NOT NULL REFERENCES machines (pos_id),
  products     jsonb NOT NULL CHECK (jsonb_typeof(products) = 'array'),
  created_at   timestamptz NOT NULL DEFAULT now(),
  sent_at      timestamptz,
  state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied', 'refused')),
  reason       text,
  applied_hash text CHECK (applied_hash IS NULL OR applied_hash ~ '^[0-9a-f]{64}$')
);

CREATE TABLE operators (
  id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name          text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
  password_hash text NOT NULL,
  failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
