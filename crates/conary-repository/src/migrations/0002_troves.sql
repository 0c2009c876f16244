-- Migration 2: troves, their versions, files, dependencies and references.
--
-- Names, labels, branches and flavors are interned; an instance is one
-- trove (name, version, flavor) with its canonical encoding. Versions are
-- kept twice: `version` is the plain text form (the identity, without
-- timestamps) and `frozen` the form with every revision's timestamp;
-- `timestamp` is the trailing revision's, in milliseconds, by which
-- versions on a branch are ordered. Nothing is ever deleted: an admin may
-- only set `removed`.

-- One row per commit: who committed and when (wall clock, milliseconds).
CREATE TABLE commits (
    id           INTEGER PRIMARY KEY,
    committed_at INTEGER NOT NULL,
    subject      TEXT NOT NULL
) STRICT;

CREATE TABLE labels (
    id    INTEGER PRIMARY KEY,
    label TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE branches (
    id       INTEGER PRIMARY KEY,
    branch   TEXT NOT NULL UNIQUE,
    label_id INTEGER NOT NULL REFERENCES labels (id)
) STRICT;
CREATE INDEX branches_by_label ON branches (label_id);

-- Trove names; `package` is the name without its component suffix, so
-- the troves of one package can share a version's timestamps.
CREATE TABLE items (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    package TEXT NOT NULL
) STRICT;
CREATE INDEX items_by_package ON items (package);

CREATE TABLE flavors (
    id     INTEGER PRIMARY KEY,
    flavor TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE instances (
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER NOT NULL REFERENCES items (id),
    version    TEXT NOT NULL,
    frozen     TEXT NOT NULL,
    branch_id  INTEGER NOT NULL REFERENCES branches (id),
    timestamp  INTEGER NOT NULL CHECK (timestamp > 0),
    flavor_id  INTEGER NOT NULL REFERENCES flavors (id),
    trove_type INTEGER NOT NULL CHECK (trove_type IN (0, 1, 2)),
    removed    INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    trove      BLOB NOT NULL,
    digest     BLOB NOT NULL CHECK (length(digest) = 32),
    commit_id  INTEGER NOT NULL REFERENCES commits (id),
    UNIQUE (item_id, version, flavor_id)
) STRICT;
-- Latest per name, branch and flavor; versions of one name.
CREATE INDEX instances_leaves ON instances (item_id, branch_id, flavor_id, timestamp);
-- Everything on a branch, newest last; the next timestamp of a branch.
CREATE INDEX instances_by_branch ON instances (branch_id, timestamp);
-- Timestamps of a version (branch points, file versions).
CREATE INDEX instances_by_version ON instances (version);

-- Marking removed is recorded, so history says who and when.
CREATE TABLE removals (
    instance_id INTEGER PRIMARY KEY REFERENCES instances (id),
    removed_at  INTEGER NOT NULL,
    subject     TEXT NOT NULL
) STRICT;

-- File streams by fileId (the canonical encoding), once however many
-- troves hold the file; `content_digest` for regular files.
CREATE TABLE file_streams (
    id             INTEGER PRIMARY KEY,
    file_id        BLOB NOT NULL UNIQUE CHECK (length(file_id) = 32),
    stream         BLOB NOT NULL,
    content_digest BLOB CHECK (content_digest IS NULL OR length(content_digest) = 32)
) STRICT;
CREATE INDEX file_streams_by_contents ON file_streams (content_digest)
    WHERE content_digest IS NOT NULL;

-- The files of each trove; `file_version` is frozen.
CREATE TABLE trove_files (
    instance_id  INTEGER NOT NULL REFERENCES instances (id),
    path_id      BLOB NOT NULL CHECK (length(path_id) = 16),
    path         TEXT NOT NULL,
    stream_id    INTEGER NOT NULL REFERENCES file_streams (id),
    file_version TEXT NOT NULL,
    PRIMARY KEY (instance_id, path_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX trove_files_by_path ON trove_files (path);
CREATE INDEX trove_files_by_stream ON trove_files (stream_id);

-- Dependencies, interned: class id, name, flags (space separated, for
-- reading) and the frozen form (for parsing back).
CREATE TABLE dependencies (
    id     INTEGER PRIMARY KEY,
    class  INTEGER NOT NULL,
    name   TEXT NOT NULL,
    flags  TEXT NOT NULL,
    frozen TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX dependencies_by_name ON dependencies (class, name);

CREATE TABLE provides (
    instance_id   INTEGER NOT NULL REFERENCES instances (id),
    dependency_id INTEGER NOT NULL REFERENCES dependencies (id),
    PRIMARY KEY (instance_id, dependency_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX provides_by_dependency ON provides (dependency_id);

CREATE TABLE requires (
    instance_id   INTEGER NOT NULL REFERENCES instances (id),
    dependency_id INTEGER NOT NULL REFERENCES dependencies (id),
    PRIMARY KEY (instance_id, dependency_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX requires_by_dependency ON requires (dependency_id);

-- The troves a package or group includes (strong) or reaches (weak).
CREATE TABLE trove_refs (
    instance_id INTEGER NOT NULL REFERENCES instances (id),
    item_id     INTEGER NOT NULL REFERENCES items (id),
    version     TEXT NOT NULL,
    frozen      TEXT NOT NULL,
    flavor_id   INTEGER NOT NULL REFERENCES flavors (id),
    strong      INTEGER NOT NULL CHECK (strong IN (0, 1)),
    by_default  INTEGER NOT NULL CHECK (by_default IN (0, 1)),
    PRIMARY KEY (instance_id, strong, item_id, version, flavor_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX trove_refs_by_target ON trove_refs (item_id, version, flavor_id);
