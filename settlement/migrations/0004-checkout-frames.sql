-- 0004: the camera frame a checkout was recognised from, kept for the
-- waste report (the returned tray is compared with it) and for audit.
-- The JPEG lives in a file next to the ledger (frames are large and may be
-- purged after a retention period); the row keeps its SHA-256, so a frame
-- that was swapped or damaged is detected, and the checkout row stays.

CREATE TABLE checkout_frames (
  checkout_id TEXT PRIMARY KEY REFERENCES checkouts (id),
  sha256      TEXT NOT NULL CHECK (length (sha256) = 64),
  file        TEXT NOT NULL,       -- relative to the frames folder
  bytes       INTEGER NOT NULL CHECK (bytes > 0),
  created     TEXT NOT NULL
) STRICT, WITHOUT ROWID;
