-- The public service catalogue (政务服务事项清单). Text comes in zh/en column pairs; an office guide
-- version is stored whole as JSON (it is only ever read whole), while what lists filter and sort on is
-- kept in columns.

CREATE TABLE departments (
  id        TEXT PRIMARY KEY,
  name_zh   TEXT NOT NULL,
  name_en   TEXT NOT NULL,
  phone     TEXT NOT NULL DEFAULT '',
  sort      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE centers (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('district', 'community')),
  name_zh     TEXT NOT NULL,
  name_en     TEXT NOT NULL,
  area_zh     TEXT NOT NULL,
  area_en     TEXT NOT NULL,
  address_zh  TEXT NOT NULL,
  address_en  TEXT NOT NULL,
  phone       TEXT NOT NULL,
  hours_json  TEXT NOT NULL,
  note_zh     TEXT NOT NULL DEFAULT '',
  note_en     TEXT NOT NULL DEFAULT '',
  sort        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE windows (
  id         TEXT PRIMARY KEY,
  center_id  TEXT NOT NULL REFERENCES centers(id),
  number     INTEGER NOT NULL CHECK (number > 0),
  class      TEXT NOT NULL CHECK (class IN ('any', 'domain', 'department')),
  label_zh   TEXT NOT NULL,
  label_en   TEXT NOT NULL,
  UNIQUE (center_id, number)
);

CREATE TABLE items (
  id               TEXT PRIMARY KEY,
  dept_id          TEXT NOT NULL REFERENCES departments(id),
  kind             TEXT NOT NULL CHECK (kind IN ('admin_power', 'public_service')),
  name_zh          TEXT NOT NULL,
  name_en          TEXT NOT NULL,
  keywords         TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
  online           INTEGER NOT NULL DEFAULT 0 CHECK (online IN (0, 1)),
  zero_trip        INTEGER NOT NULL DEFAULT 0 CHECK (zero_trip IN (0, 1)),
  on_the_spot      INTEGER NOT NULL DEFAULT 0 CHECK (on_the_spot IN (0, 1)),
  one_trip         INTEGER NOT NULL DEFAULT 0 CHECK (one_trip IN (0, 1)),
  promised_days    INTEGER,                      -- of the current guide, for lists
  popularity       INTEGER NOT NULL DEFAULT 0,
  current_version  INTEGER NOT NULL,
  -- Folded (full-width to half-width, lower-case) names, keywords and guide words of the current version,
  -- searched by substring with instr(): Chinese has no word boundaries, and instr() takes '%' and '_'
  -- literally where LIKE would not.
  search_text      TEXT NOT NULL
);
CREATE INDEX items_dept ON items (dept_id);
CREATE INDEX items_popularity ON items (popularity DESC, id);

CREATE TABLE guide_versions (
  item_id       TEXT NOT NULL REFERENCES items(id),
  version       INTEGER NOT NULL CHECK (version > 0),
  published_at  TEXT NOT NULL,
  change_zh     TEXT NOT NULL DEFAULT '',
  change_en     TEXT NOT NULL DEFAULT '',
  guide_json    TEXT NOT NULL,
  PRIMARY KEY (item_id, version)
);

CREATE TABLE item_centers (
  item_id    TEXT NOT NULL REFERENCES items(id),
  center_id  TEXT NOT NULL REFERENCES centers(id),
  PRIMARY KEY (item_id, center_id)
);
CREATE INDEX item_centers_center ON item_centers (center_id);

CREATE TABLE bundles (
  id          TEXT PRIMARY KEY,
  name_zh     TEXT NOT NULL,
  name_en     TEXT NOT NULL,
  summary_zh  TEXT NOT NULL DEFAULT '',
  summary_en  TEXT NOT NULL DEFAULT '',
  sort        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE bundle_items (
  bundle_id  TEXT NOT NULL REFERENCES bundles(id),
  item_id    TEXT NOT NULL REFERENCES items(id),
  ord        INTEGER NOT NULL,
  PRIMARY KEY (bundle_id, item_id)
);
CREATE INDEX bundle_items_item ON bundle_items (item_id);
