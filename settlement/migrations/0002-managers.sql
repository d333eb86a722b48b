-- 0002: managers, whose PIN authorises voids and refunds.
-- The PIN is stored only as an Argon2id hash (libsodium crypto_pwhash_str).
-- Adding or disabling a manager is journaled like any other authority change.

CREATE TABLE managers (
  id       TEXT PRIMARY KEY,
  name     TEXT NOT NULL,
  pin_hash TEXT NOT NULL,
  active   INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;
