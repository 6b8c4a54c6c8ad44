-- A catalog edit carries the whole catalog, so a newer one replaces any older still pending: the
-- older is marked superseded and never sent again (else a hello would apply old prices, then new).
ALTER TABLE config_versions DROP CONSTRAINT config_versions_state_check;
ALTER TABLE config_versions ADD CONSTRAINT config_versions_state_check
  CHECK (state IN ('pending', 'applied', 'refused', 'superseded'));
