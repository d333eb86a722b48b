-- 0008: the tray a checkout was served on (issue 6).
--
-- Each tray carries a sticker with its own id (a QR code the camera reads:
-- devices/vision, canteen_vision_read_tray_tag). The checkout camera reads
-- it from the frame the checkout was recognised from; the return station
-- reads it again from the returned tray and so finds the checkout without a
-- card tap. Trays are reused: a tag names many checkouts over the days, and
-- the return takes the latest one of its meal period not yet returned.
-- Evidence like the frames: append-only; a checkout's tray is set once.

CREATE TABLE checkout_trays (
  checkout_id TEXT PRIMARY KEY REFERENCES checkouts (id),
  tray_tag    TEXT NOT NULL CHECK (length (tray_tag) BETWEEN 1 AND 24
                                   AND tray_tag NOT GLOB '*[^A-Z0-9-]*'),
  created_utc TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX checkout_trays_by_tag ON checkout_trays (tray_tag);

CREATE TRIGGER checkout_trays_no_update BEFORE UPDATE ON checkout_trays
  BEGIN SELECT RAISE (ABORT, 'a checkout''s tray is set once'); END;
CREATE TRIGGER checkout_trays_no_delete BEFORE DELETE ON checkout_trays
  BEGIN SELECT RAISE (ABORT, 'a checkout''s tray is set once'); END;
