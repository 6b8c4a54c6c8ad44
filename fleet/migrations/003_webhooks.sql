-- Webhooks from Vipps MobilePay (our registrations and the events they delivered) and the refunds
-- made from the page.

-- The service gives a registration's secret only when it is made: kept here to verify deliveries.
CREATE TABLE webhook_registrations (
  id            text PRIMARY KEY,
  url           text NOT NULL UNIQUE,
  events        jsonb NOT NULL CHECK (jsonb_typeof(events) = 'array'),
  secret        text NOT NULL CHECK (length(secret) >= 16),
  registered_at timestamptz NOT NULL DEFAULT now()
);

-- Each verified event once: deliveries repeat, so the event's own fields are its identity.
CREATE TABLE webhook_events (
  id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  msn           text NOT NULL,
  reference     text NOT NULL,
  psp_reference text NOT NULL,
  name          text NOT NULL CHECK (name IN ('CREATED', 'AUTHORIZED', 'ABORTED', 'EXPIRED', 'CANCELLED',
                  'CAPTURED', 'REFUNDED', 'TERMINATED')),
  event_time    text NOT NULL,
  amount        bigint,
  currency      text,
  success       boolean,
  body          jsonb NOT NULL CHECK (jsonb_typeof(body) = 'object'),
  -- base64 SHA-256 of the delivered bytes (x-ms-content-sha256).
  body_sha256   text NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  -- The machine the reference belongs to (NULL: none we know).
  pos_id        text REFERENCES machines (pos_id),
  relay         text CHECK (relay IN ('relayed', 'no-machine', 'not-a-state-change', 'failed')),
  relayed_at    timestamptz,
  UNIQUE (msn, reference, psp_reference, name, event_time)
);
CREATE INDEX webhook_events_by_reference ON webhook_events (reference);

-- A refund asked for on the page. The idempotency key is derived from the sale and the form the
-- operator was shown: a double click or a resubmit finds the row and refunds once.
CREATE TABLE refunds (
  id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pos_id          text NOT NULL,
  reference       text NOT NULL,
  idempotency_key text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 8 AND 50),
  amount          integer NOT NULL CHECK (amount > 0),
  currency        text NOT NULL CHECK (currency IN ('NOK', 'DKK', 'EUR')),
  reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
  operator_id     integer REFERENCES operators (id),
  operator_name   text NOT NULL,
  -- requested: sent (or about to be) with no answer yet; unanswered: the call failed without an
  -- answer (sending again with the same key is safe); done / refused: the service's answer.
  state           text NOT NULL DEFAULT 'requested' CHECK (state IN ('requested', 'unanswered', 'done', 'refused')),
  http_status     integer,
  answer          text,
  requested_at    timestamptz NOT NULL DEFAULT now(),
  answered_at     timestamptz,
  FOREIGN KEY (pos_id, reference) REFERENCES sales (pos_id, reference)
);
CREATE INDEX refunds_by_sale ON refunds (pos_id, reference);
