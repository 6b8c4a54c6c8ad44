-- The operator's web page: login sessions, the catalogs machines report, low-stock levels, alert
-- settings, and the alerts the server raises itself (beside the machines' own).

CREATE TABLE sessions (
  -- SHA-256 hex of the cookie's random token: a copied table gives no session away.
  id          text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  operator_id integer NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  csrf        text NOT NULL CHECK (length(csrf) >= 32),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  CHECK (expires_at > created_at)
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- The last up/catalog of each machine, as reported.
CREATE TABLE machine_catalogs (
  pos_id      text PRIMARY KEY REFERENCES machines (pos_id),
  cfg         text NOT NULL CHECK (cfg ~ '^[0-9a-f]{64}$'),
  languages   jsonb NOT NULL CHECK (jsonb_typeof(languages) = 'array'),
  currency    text NOT NULL CHECK (currency IN ('NOK', 'DKK', 'EUR')),
  products    jsonb NOT NULL CHECK (jsonb_typeof(products) = 'array'),
  received_at timestamptz NOT NULL DEFAULT now()
);

-- Below or at this many units a counted product is low (no row: the default, 2).
CREATE TABLE low_stock_levels (
  pos_id  text NOT NULL REFERENCES machines (pos_id),
  product text NOT NULL CHECK (length(product) BETWEEN 1 AND 64),
  level   integer NOT NULL CHECK (level BETWEEN 0 AND 10000),
  PRIMARY KEY (pos_id, product)
);

-- One row: when the server's own alerts open, and the pick list's refill target.
CREATE TABLE alert_settings (
  id                  integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  -- 'offline': a machine offline for longer than this.
  offline_after_s     integer NOT NULL DEFAULT 600 CHECK (offline_after_s >= 1),
  -- 'no-sale': a machine online and in service without a sale for this long.
  no_sale_after_s     integer NOT NULL DEFAULT 86400 CHECK (no_sale_after_s >= 1),
  -- 'queue-growing': the queue grew in each of this many heartbeats in a row.
  queue_growing_beats integer NOT NULL DEFAULT 3 CHECK (queue_growing_beats BETWEEN 2 AND 100),
  default_low_stock   integer NOT NULL DEFAULT 2 CHECK (default_low_stock BETWEEN 0 AND 10000),
  refill_target       integer NOT NULL DEFAULT 10 CHECK (refill_target BETWEEN 1 AND 10000)
);
INSERT INTO alert_settings (id) VALUES (1);

ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN ('out-of-service', 'capture-late',
  'capture-overdue', 'journal', 'offline', 'no-sale', 'queue-growing'));
-- Where the alert came from: the machine's up/alert, or the server's evaluator.
ALTER TABLE alerts ADD COLUMN source text NOT NULL DEFAULT 'machine' CHECK (source IN ('machine', 'server'));
-- Sent to FLEET_ALERT_URL: what has been told of this alert (nothing, its opening, its closing).
ALTER TABLE alerts ADD COLUMN notified text NOT NULL DEFAULT 'none' CHECK (notified IN ('none', 'open', 'closed'));
UPDATE alerts SET notified = CASE WHEN closed_at IS NULL THEN 'open' ELSE 'closed' END;

-- Who asked for a version (NULL: made outside the page).
ALTER TABLE config_versions ADD COLUMN operator_id integer REFERENCES operators (id);
CREATE INDEX config_versions_pending ON config_versions (pos_id) WHERE state = 'pending';
