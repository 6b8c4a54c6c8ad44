-- The books: the settlement report as read from the service (Report API), each entry stored once
-- however often it is read, which report dates are complete, and when a difference between the
-- machines' sales and the report counts, and becomes an alert.

CREATE TABLE ledgers (
  ledger_id text PRIMARY KEY CHECK (length(ledger_id) BETWEEN 1 AND 64),
  currency  text NOT NULL,
  read_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ledger_entries (
  ledger_id     text NOT NULL REFERENCES ledgers (ledger_id),
  topic         text NOT NULL CHECK (topic IN ('funds', 'fees')),
  psp_reference text NOT NULL,
  entry_type    text NOT NULL,
  reference     text NOT NULL,
  ledger_date   date NOT NULL,
  entry_time    timestamptz NOT NULL,
  -- Minor units, signed as the report gives them (a refund or a payout is negative in funds).
  amount        bigint NOT NULL,
  currency      text NOT NULL,
  balance_after bigint,
  -- The machine whose posId the reference starts with ({posId}-…), when there is one.
  pos_id        text REFERENCES machines (pos_id),
  stored_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ledger_id, topic, psp_reference, entry_type)
);
CREATE INDEX ledger_entries_by_reference ON ledger_entries (reference);
CREATE INDEX ledger_entries_by_date ON ledger_entries (ledger_date);

-- A date once read with tryLater false is complete: never read again.
CREATE TABLE ledger_dates (
  ledger_id   text NOT NULL REFERENCES ledgers (ledger_id),
  topic       text NOT NULL CHECK (topic IN ('funds', 'fees')),
  ledger_date date NOT NULL,
  complete    boolean NOT NULL,
  read_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ledger_id, topic, ledger_date)
);

-- One row: how long the report usually trails a capture (a capture it lacks for longer is a
-- mismatch), and how long a mismatch stands before it is an alert.
CREATE TABLE books_settings (
  id                integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  report_lag_s      integer NOT NULL DEFAULT 10800 CHECK (report_lag_s >= 0),
  alert_after_s     integer NOT NULL DEFAULT 86400 CHECK (alert_after_s >= 0)
);
INSERT INTO books_settings (id) VALUES (1);

ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN ('out-of-service', 'capture-late',
  'capture-overdue', 'journal', 'offline', 'no-sale', 'queue-growing', 'books-mismatch'));
