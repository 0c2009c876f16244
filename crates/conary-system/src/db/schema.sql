-- Schema version 1 of the local database (`<root>/var/lib/conarydb/conarydb`).
--
-- Everything about a trove that is not queried by column lives in its
-- canonical encoding (`instances.trove`, the pristine manifest as
-- installed); the other tables are indexes over it, rebuilt from it when a
-- trove is recorded, plus what only the machine knows: pins, install time,
-- files not present, config contents, transactions and rollbacks.

-- One row per installed trove.
CREATE TABLE instances (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    -- The version without timestamps (the key) and frozen (with them).
    version        TEXT NOT NULL,
    frozen_version TEXT NOT NULL,
    flavor         TEXT NOT NULL,
    -- The canonical encoding of the pristine manifest.
    trove          BLOB NOT NULL,
    pinned         INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    -- Seconds since the epoch.
    install_time   INTEGER NOT NULL,
    transaction_id INTEGER NOT NULL,
    UNIQUE (name, version, flavor)
) STRICT;

-- File streams by fileId, shared by every file that has one.
CREATE TABLE streams (
    file_id BLOB PRIMARY KEY NOT NULL,
    stream  BLOB NOT NULL
) STRICT;

-- The files of installed troves.
CREATE TABLE trove_files (
    instance_id INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    path_id     BLOB NOT NULL,
    path        TEXT NOT NULL,
    file_id     BLOB NOT NULL,
    -- The contents digest of a regular file.
    digest      BLOB,
    is_config   INTEGER NOT NULL CHECK (is_config IN (0, 1)),
    -- 0 when the file was taken over by another trove (--replace-managed-files).
    is_present  INTEGER NOT NULL DEFAULT 1 CHECK (is_present IN (0, 1)),
    PRIMARY KEY (instance_id, path_id)
) STRICT;
CREATE INDEX trove_files_path ON trove_files (path);
CREATE INDEX trove_files_digest ON trove_files (digest);
CREATE INDEX trove_files_file_id ON trove_files (file_id);

-- The references of installed collections (packages, groups).
CREATE TABLE trove_refs (
    instance_id INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    version     TEXT NOT NULL,
    flavor      TEXT NOT NULL,
    strong      INTEGER NOT NULL CHECK (strong IN (0, 1)),
    by_default  INTEGER NOT NULL CHECK (by_default IN (0, 1)),
    PRIMARY KEY (instance_id, name, version, flavor, strong)
) STRICT;
CREATE INDEX trove_refs_target ON trove_refs (name, version, flavor);

-- Provides (kind 0) and requires (kind 1), one dependency a row, in the
-- frozen form of a one-dependency set.
CREATE TABLE dependencies (
    instance_id INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    kind        INTEGER NOT NULL CHECK (kind IN (0, 1)),
    class       INTEGER NOT NULL,
    name        TEXT NOT NULL,
    frozen      TEXT NOT NULL
) STRICT;
CREATE INDEX dependencies_lookup ON dependencies (kind, class, name);
CREATE INDEX dependencies_instance ON dependencies (instance_id);

-- The pristine contents of installed config files, for three-way merges
-- and rollbacks (the original's DataStore).
CREATE TABLE config_contents (
    digest BLOB PRIMARY KEY NOT NULL,
    data   BLOB NOT NULL
) STRICT;

-- Every committed transaction; a row here is what makes a journaled
-- transaction committed.
CREATE TABLE transactions (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('update', 'rollback')),
    time        INTEGER NOT NULL,
    description TEXT NOT NULL
) STRICT;

-- The rollback stack: the inverse of each committed update, newest last.
CREATE TABLE rollbacks (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id INTEGER NOT NULL UNIQUE,
    time           INTEGER NOT NULL,
    -- One line per trove change, as `conary rblist` shows it.
    description    TEXT NOT NULL
) STRICT;
