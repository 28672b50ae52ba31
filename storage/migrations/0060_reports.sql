-- Reports against the plans' targets: counters kept up to date by triggers, so a province
-- report sums a few thousand rows instead of reading every learner and answer.
--
-- Who counts: consenting, registered learners (users.consent = 'given' AND registered_at set).
-- Every change to what they contribute (registration, place, branch, birth year, sex, groups,
-- the proficient flag, an area mastered or lost, a topic acknowledged, erasure) becomes one
-- signed delta vector INSERTed into `stat_delta`; its BEFORE trigger fans the vector out to
-- `stat_cells` and `stat_days` and then drops the row (RAISE(IGNORE)), so the fan-out lives in
-- one place and `stat_delta` itself stays empty.
--
-- branch_id in the counters: -1 is the whole commune, 0 members of no branch, else branches.id.
-- `since` is the year from which the people counted in a row are older people: birth year
-- + 60, but never before 2025 (the plans start then; an unknown birth year counts as older).
-- A report for year Y >= 2025 counts rows with since <= Y as older people and the rest as
-- helpers, exactly, while everyone already older shares one key instead of one per birth year.

CREATE TABLE stat_delta (
    p INTEGER, c INTEGER, b INTEGER, birth_year INTEGER, sex TEXT,
    rural INTEGER, poor INTEGER, alone INTEGER, disabled INTEGER,
    day TEXT,
    registered INTEGER, proficient INTEGER,
    m_dich_vu_cong INTEGER, m_thanh_toan INTEGER, m_mua_sam INTEGER, m_an_toan INTEGER,
    m_dia_phuong INTEGER,
    i_chuyen_doi_so INTEGER, i_chuyen_doi_xanh INTEGER, i_khoi_nghiep INTEGER, i_viec_lam INTEGER
);

-- Current counts per unit and one breakdown at a time: dim 'by' (val: birth year), 'sex'
-- (val: nam, nu or ''), 'grp' (val: nong_thon, ngheo, mot_minh, khuyet_tat; only people in it).
CREATE TABLE stat_cells (
    province_code  INTEGER NOT NULL,
    commune_code   INTEGER NOT NULL,
    branch_id      INTEGER NOT NULL,
    dim            TEXT NOT NULL,
    val            TEXT NOT NULL,
    since          INTEGER NOT NULL,
    registered INTEGER NOT NULL, proficient INTEGER NOT NULL,
    m_dich_vu_cong INTEGER NOT NULL, m_thanh_toan INTEGER NOT NULL, m_mua_sam INTEGER NOT NULL,
    m_an_toan INTEGER NOT NULL, m_dia_phuong INTEGER NOT NULL,
    i_chuyen_doi_so INTEGER NOT NULL, i_chuyen_doi_xanh INTEGER NOT NULL,
    i_khoi_nghiep INTEGER NOT NULL, i_viec_lam INTEGER NOT NULL,
    PRIMARY KEY (province_code, commune_code, branch_id, dim, val, since)
) WITHOUT ROWID;
CREATE INDEX stat_cells_commune ON stat_cells (commune_code, branch_id);
CREATE INDEX stat_cells_branch ON stat_cells (branch_id);

-- The same deltas per day (Vietnam date), without breakdowns: any past date's figures, the
-- month-by-month trend and the sub-units, by summing up to that day.
CREATE TABLE stat_days (
    province_code  INTEGER NOT NULL,
    commune_code   INTEGER NOT NULL,
    branch_id      INTEGER NOT NULL,
    day            TEXT NOT NULL,
    since          INTEGER NOT NULL,
    registered INTEGER NOT NULL, proficient INTEGER NOT NULL,
    m_dich_vu_cong INTEGER NOT NULL, m_thanh_toan INTEGER NOT NULL, m_mua_sam INTEGER NOT NULL,
    m_an_toan INTEGER NOT NULL, m_dia_phuong INTEGER NOT NULL,
    i_chuyen_doi_so INTEGER NOT NULL, i_chuyen_doi_xanh INTEGER NOT NULL,
    i_khoi_nghiep INTEGER NOT NULL, i_viec_lam INTEGER NOT NULL,
    PRIMARY KEY (province_code, branch_id, commune_code, day, since)
) WITHOUT ROWID;
CREATE INDEX stat_days_commune ON stat_days (commune_code, branch_id, day);
CREATE INDEX stat_days_branch ON stat_days (branch_id, day);

CREATE TRIGGER stat_delta_apply BEFORE INSERT ON stat_delta
BEGIN
    INSERT INTO stat_cells
    SELECT NEW.p, NEW.c, br.b, d.dim, d.val, max(COALESCE(NEW.birth_year + 60, 0), 2025),
           NEW.registered, NEW.proficient, NEW.m_dich_vu_cong, NEW.m_thanh_toan, NEW.m_mua_sam,
           NEW.m_an_toan, NEW.m_dia_phuong, NEW.i_chuyen_doi_so, NEW.i_chuyen_doi_xanh,
           NEW.i_khoi_nghiep, NEW.i_viec_lam
    FROM (SELECT -1 AS b UNION ALL SELECT NEW.b) AS br,
         (SELECT 'by' AS dim, COALESCE(CAST(NEW.birth_year AS TEXT), '') AS val
          UNION ALL SELECT 'sex', COALESCE(NEW.sex, '')
          UNION ALL SELECT 'grp', 'nong_thon' WHERE NEW.rural = 1
          UNION ALL SELECT 'grp', 'ngheo' WHERE NEW.poor = 1
          UNION ALL SELECT 'grp', 'mot_minh' WHERE NEW.alone = 1
          UNION ALL SELECT 'grp', 'khuyet_tat' WHERE NEW.disabled = 1) AS d
    WHERE true
    ON CONFLICT (province_code, commune_code, branch_id, dim, val, since) DO UPDATE SET
        registered = registered + excluded.registered,
        proficient = proficient + excluded.proficient,
        m_dich_vu_cong = m_dich_vu_cong + excluded.m_dich_vu_cong,
        m_thanh_toan = m_thanh_toan + excluded.m_thanh_toan,
        m_mua_sam = m_mua_sam + excluded.m_mua_sam,
        m_an_toan = m_an_toan + excluded.m_an_toan,
        m_dia_phuong = m_dia_phuong + excluded.m_dia_phuong,
        i_chuyen_doi_so = i_chuyen_doi_so + excluded.i_chuyen_doi_so,
        i_chuyen_doi_xanh = i_chuyen_doi_xanh + excluded.i_chuyen_doi_xanh,
        i_khoi_nghiep = i_khoi_nghiep + excluded.i_khoi_nghiep,
        i_viec_lam = i_viec_lam + excluded.i_viec_lam;
    INSERT INTO stat_days
    SELECT NEW.p, NEW.c, br.b, NEW.day, max(COALESCE(NEW.birth_year + 60, 0), 2025),
           NEW.registered, NEW.proficient, NEW.m_dich_vu_cong, NEW.m_thanh_toan, NEW.m_mua_sam,
           NEW.m_an_toan, NEW.m_dia_phuong, NEW.i_chuyen_doi_so, NEW.i_chuyen_doi_xanh,
           NEW.i_khoi_nghiep, NEW.i_viec_lam
    FROM (SELECT -1 AS b UNION ALL SELECT NEW.b) AS br
    WHERE true
    ON CONFLICT (province_code, branch_id, commune_code, day, since) DO UPDATE SET
        registered = registered + excluded.registered,
        proficient = proficient + excluded.proficient,
        m_dich_vu_cong = m_dich_vu_cong + excluded.m_dich_vu_cong,
        m_thanh_toan = m_thanh_toan + excluded.m_thanh_toan,
        m_mua_sam = m_mua_sam + excluded.m_mua_sam,
        m_an_toan = m_an_toan + excluded.m_an_toan,
        m_dia_phuong = m_dia_phuong + excluded.m_dia_phuong,
        i_chuyen_doi_so = i_chuyen_doi_so + excluded.i_chuyen_doi_so,
        i_chuyen_doi_xanh = i_chuyen_doi_xanh + excluded.i_chuyen_doi_xanh,
        i_khoi_nghiep = i_khoi_nghiep + excluded.i_khoi_nghiep,
        i_viec_lam = i_viec_lam + excluded.i_viec_lam;
    -- Someone left (erasure, a move): drop rows left empty, so no key (a birth year, "nu",
    -- a priority group) outlives the people it counted. Cells count registered people, so a
    -- cell with none has nothing else either; a day's row must be zero in every column.
    DELETE FROM stat_cells
    WHERE NEW.registered < 0 AND province_code = NEW.p AND commune_code = NEW.c
          AND branch_id IN (-1, NEW.b) AND registered = 0;
    DELETE FROM stat_days
    WHERE NEW.registered < 0 AND province_code = NEW.p AND commune_code = NEW.c
          AND branch_id IN (-1, NEW.b) AND day = NEW.day
          AND registered = 0 AND proficient = 0 AND m_dich_vu_cong = 0 AND m_thanh_toan = 0
          AND m_mua_sam = 0 AND m_an_toan = 0 AND m_dia_phuong = 0 AND i_chuyen_doi_so = 0
          AND i_chuyen_doi_xanh = 0 AND i_khoi_nghiep = 0 AND i_viec_lam = 0;
    SELECT RAISE(IGNORE);
END;

-- What a learner's areas and topics add, read from the child tables.
CREATE VIEW stat_children AS
SELECT u.id AS user_id,
    COALESCE((SELECT mastered FROM area_mastery a WHERE a.user_id = u.id AND a.area = 'dich_vu_cong'), 0) AS m_dich_vu_cong,
    COALESCE((SELECT mastered FROM area_mastery a WHERE a.user_id = u.id AND a.area = 'thanh_toan'), 0) AS m_thanh_toan,
    COALESCE((SELECT mastered FROM area_mastery a WHERE a.user_id = u.id AND a.area = 'mua_sam'), 0) AS m_mua_sam,
    COALESCE((SELECT mastered FROM area_mastery a WHERE a.user_id = u.id AND a.area = 'an_toan'), 0) AS m_an_toan,
    COALESCE((SELECT mastered FROM area_mastery a WHERE a.user_id = u.id AND a.area = 'dia_phuong'), 0) AS m_dia_phuong,
    EXISTS (SELECT 1 FROM informed i WHERE i.user_id = u.id AND i.topic = 'chuyen_doi_so') AS i_chuyen_doi_so,
    EXISTS (SELECT 1 FROM informed i WHERE i.user_id = u.id AND i.topic = 'chuyen_doi_xanh') AS i_chuyen_doi_xanh,
    EXISTS (SELECT 1 FROM informed i WHERE i.user_id = u.id AND i.topic = 'khoi_nghiep') AS i_khoi_nghiep,
    EXISTS (SELECT 1 FROM informed i WHERE i.user_id = u.id AND i.topic = 'viec_lam') AS i_viec_lam
FROM users u;

-- A learner's row changed in a way the counters see: take out what the old row added, put in
-- what the new row adds. The day is the turn's (engine sets last_active_at first).
CREATE TRIGGER stat_users_update AFTER UPDATE OF
    consent, registered_at, province_code, commune_code, branch_id, birth_year, sex,
    rural, poor, alone, disabled, proficient ON users
WHEN OLD.consent IS NOT NEW.consent OR OLD.registered_at IS NOT NEW.registered_at
    OR OLD.province_code IS NOT NEW.province_code OR OLD.commune_code IS NOT NEW.commune_code
    OR OLD.branch_id IS NOT NEW.branch_id OR OLD.birth_year IS NOT NEW.birth_year
    OR OLD.sex IS NOT NEW.sex OR OLD.rural IS NOT NEW.rural OR OLD.poor IS NOT NEW.poor
    OR OLD.alone IS NOT NEW.alone OR OLD.disabled IS NOT NEW.disabled
    OR OLD.proficient IS NOT NEW.proficient
BEGIN
    INSERT INTO stat_delta
    SELECT COALESCE(OLD.province_code, 0), COALESCE(OLD.commune_code, 0),
           COALESCE(OLD.branch_id, 0), OLD.birth_year, OLD.sex, OLD.rural, OLD.poor,
           OLD.alone, OLD.disabled,
           date(max(NEW.last_active_at, COALESCE(NEW.registered_at, '')), '+7 hours'),
           -1, -OLD.proficient, -k.m_dich_vu_cong, -k.m_thanh_toan, -k.m_mua_sam,
           -k.m_an_toan, -k.m_dia_phuong, -k.i_chuyen_doi_so, -k.i_chuyen_doi_xanh,
           -k.i_khoi_nghiep, -k.i_viec_lam
    FROM stat_children k
    WHERE k.user_id = OLD.id AND OLD.consent = 'given' AND OLD.registered_at IS NOT NULL;
    INSERT INTO stat_delta
    SELECT COALESCE(NEW.province_code, 0), COALESCE(NEW.commune_code, 0),
           COALESCE(NEW.branch_id, 0), NEW.birth_year, NEW.sex, NEW.rural, NEW.poor,
           NEW.alone, NEW.disabled,
           date(max(NEW.last_active_at, COALESCE(NEW.registered_at, '')), '+7 hours'),
           1, NEW.proficient, k.m_dich_vu_cong, k.m_thanh_toan, k.m_mua_sam,
           k.m_an_toan, k.m_dia_phuong, k.i_chuyen_doi_so, k.i_chuyen_doi_xanh,
           k.i_khoi_nghiep, k.i_viec_lam
    FROM stat_children k
    WHERE k.user_id = NEW.id AND NEW.consent = 'given' AND NEW.registered_at IS NOT NULL;
END;

-- A learner inserted already signed up (imports, merges): what the row adds.
CREATE TRIGGER stat_users_insert AFTER INSERT ON users
WHEN NEW.consent = 'given' AND NEW.registered_at IS NOT NULL
BEGIN
    INSERT INTO stat_delta
    SELECT COALESCE(NEW.province_code, 0), COALESCE(NEW.commune_code, 0),
           COALESCE(NEW.branch_id, 0), NEW.birth_year, NEW.sex, NEW.rural, NEW.poor,
           NEW.alone, NEW.disabled,
           date(NEW.registered_at, '+7 hours'),
           1, NEW.proficient, 0, 0, 0, 0, 0, 0, 0, 0, 0;
END;

-- Erasure: the learner's whole contribution leaves on the day it happens (figures reported
-- before stay as they were). The rows that cascade from it are then skipped below.
CREATE TRIGGER stat_users_delete BEFORE DELETE ON users
WHEN OLD.consent = 'given' AND OLD.registered_at IS NOT NULL
BEGIN
    INSERT INTO stat_delta
    SELECT COALESCE(OLD.province_code, 0), COALESCE(OLD.commune_code, 0),
           COALESCE(OLD.branch_id, 0), OLD.birth_year, OLD.sex, OLD.rural, OLD.poor,
           OLD.alone, OLD.disabled, date(OLD.last_active_at, '+7 hours'),
           -1, -OLD.proficient, -k.m_dich_vu_cong, -k.m_thanh_toan, -k.m_mua_sam,
           -k.m_an_toan, -k.m_dia_phuong, -k.i_chuyen_doi_so, -k.i_chuyen_doi_xanh,
           -k.i_khoi_nghiep, -k.i_viec_lam
    FROM stat_children k WHERE k.user_id = OLD.id;
END;

-- An area mastered or lost (or moved to another learner when two are merged).
CREATE TRIGGER stat_area_insert AFTER INSERT ON area_mastery WHEN NEW.mastered = 1
BEGIN
    INSERT INTO stat_delta
    SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
           u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
           date(NEW.updated_at, '+7 hours'), 0, 0,
           NEW.area = 'dich_vu_cong', NEW.area = 'thanh_toan', NEW.area = 'mua_sam',
           NEW.area = 'an_toan', NEW.area = 'dia_phuong', 0, 0, 0, 0
    FROM users u
    WHERE u.id = NEW.user_id AND u.consent = 'given' AND u.registered_at IS NOT NULL;
END;

CREATE TRIGGER stat_area_update AFTER UPDATE OF mastered, user_id, area ON area_mastery
WHEN OLD.mastered != NEW.mastered OR OLD.user_id != NEW.user_id OR OLD.area != NEW.area
BEGIN
    INSERT INTO stat_delta
    SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
           u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
           date(NEW.updated_at, '+7 hours'), 0, 0,
           -(OLD.area = 'dich_vu_cong'), -(OLD.area = 'thanh_toan'), -(OLD.area = 'mua_sam'),
           -(OLD.area = 'an_toan'), -(OLD.area = 'dia_phuong'), 0, 0, 0, 0
    FROM users u
    WHERE OLD.mastered = 1 AND u.id = OLD.user_id AND u.consent = 'given'
          AND u.registered_at IS NOT NULL;
    INSERT INTO stat_delta
    SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
           u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
           date(NEW.updated_at, '+7 hours'), 0, 0,
           NEW.area = 'dich_vu_cong', NEW.area = 'thanh_toan', NEW.area = 'mua_sam',
           NEW.area = 'an_toan', NEW.area = 'dia_phuong', 0, 0, 0, 0
    FROM users u
    WHERE NEW.mastered = 1 AND u.id = NEW.user_id AND u.consent = 'given'
          AND u.registered_at IS NOT NULL;
END;

-- Deleting an area row on its own (not by erasure: then the user row is already gone).
CREATE TRIGGER stat_area_delete AFTER DELETE ON area_mastery WHEN OLD.mastered = 1
BEGIN
    INSERT INTO stat_delta
    SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
           u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
           date(u.last_active_at, '+7 hours'), 0, 0,
           -(OLD.area = 'dich_vu_cong'), -(OLD.area = 'thanh_toan'), -(OLD.area = 'mua_sam'),
           -(OLD.area = 'an_toan'), -(OLD.area = 'dia_phuong'), 0, 0, 0, 0
    FROM users u
    WHERE u.id = OLD.user_id AND u.consent = 'given' AND u.registered_at IS NOT NULL;
END;

-- Informed on a topic (the first acknowledgement of an announcement on it).
CREATE TRIGGER stat_informed_insert AFTER INSERT ON informed
BEGIN
    INSERT INTO stat_delta
    SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
           u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
           date(NEW.first_at, '+7 hours'), 0, 0, 0, 0, 0, 0, 0,
           NEW.topic = 'chuyen_doi_so', NEW.topic = 'chuyen_doi_xanh',
           NEW.topic = 'khoi_nghiep', NEW.topic = 'viec_lam'
    FROM users u
    WHERE u.id = NEW.user_id AND u.consent = 'given' AND u.registered_at IS NOT NULL;
END;

CREATE TRIGGER stat_informed_delete AFTER DELETE ON informed
BEGIN
    INSERT INTO stat_delta
    SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
           u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
           date(u.last_active_at, '+7 hours'), 0, 0, 0, 0, 0, 0, 0,
           -(OLD.topic = 'chuyen_doi_so'), -(OLD.topic = 'chuyen_doi_xanh'),
           -(OLD.topic = 'khoi_nghiep'), -(OLD.topic = 'viec_lam')
    FROM users u
    WHERE u.id = OLD.user_id AND u.consent = 'given' AND u.registered_at IS NOT NULL;
END;

-- Counters for what a database already holds: registration on its day, each area on the day
-- it was mastered, each topic on its day, the proficient flag on the day of its last area.
INSERT INTO stat_delta
SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
       u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
       date(u.registered_at, '+7 hours'), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM users u WHERE u.consent = 'given' AND u.registered_at IS NOT NULL;
INSERT INTO stat_delta
SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
       u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
       date(a.updated_at, '+7 hours'), 0, 0,
       a.area = 'dich_vu_cong', a.area = 'thanh_toan', a.area = 'mua_sam',
       a.area = 'an_toan', a.area = 'dia_phuong', 0, 0, 0, 0
FROM area_mastery a JOIN users u ON u.id = a.user_id
WHERE a.mastered = 1 AND u.consent = 'given' AND u.registered_at IS NOT NULL;
INSERT INTO stat_delta
SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
       u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
       date(i.first_at, '+7 hours'), 0, 0, 0, 0, 0, 0, 0,
       i.topic = 'chuyen_doi_so', i.topic = 'chuyen_doi_xanh',
       i.topic = 'khoi_nghiep', i.topic = 'viec_lam'
FROM informed i JOIN users u ON u.id = i.user_id
WHERE u.consent = 'given' AND u.registered_at IS NOT NULL;
INSERT INTO stat_delta
SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
       u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
       date(COALESCE((SELECT max(a.updated_at) FROM area_mastery a WHERE a.user_id = u.id),
                     u.registered_at), '+7 hours'),
       0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM users u WHERE u.proficient = 1 AND u.consent = 'given' AND u.registered_at IS NOT NULL;

-- "Active in the last 30 days", counted from an index for each kind of unit.
CREATE INDEX users_active_province ON users (province_code, last_active_at, birth_year)
    WHERE consent = 'given' AND registered_at IS NOT NULL;
CREATE INDEX users_active_commune ON users (commune_code, last_active_at, birth_year)
    WHERE consent = 'given' AND registered_at IS NOT NULL;
CREATE INDEX users_active_branch ON users (branch_id, last_active_at, birth_year)
    WHERE consent = 'given' AND registered_at IS NOT NULL;

-- Targets per unit, overriding the defaults (50%/2030, 70%/2035 proficient; 90%/100% informed)
-- for the unit and everything below it that has none of its own.
CREATE TABLE unit_targets (
    unit       TEXT NOT NULL,
    indicator  TEXT NOT NULL CHECK (indicator IN ('proficient', 'informed')),
    year       INTEGER NOT NULL CHECK (year BETWEEN 2025 AND 2100),
    percent    REAL NOT NULL CHECK (percent BETWEEN 0 AND 100),
    set_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    set_at     TEXT NOT NULL,
    PRIMARY KEY (unit, indicator, year)
);

-- A unit's first report: the start of the straight line "on track" is measured against.
-- `shares` is JSON {"proficient": 12.5, "informed:chuyen_doi_so": 40.0, ...} (percent of
-- older residents; absent when the unit had no residents figure then).
CREATE TABLE report_baselines (
    unit      TEXT PRIMARY KEY,
    on_date   TEXT NOT NULL,
    shares    TEXT NOT NULL
);

-- The plans' other indicators, entered by staff as dated numbers with a note. The unit's codes
-- are copied out so "this unit and below" is the same filter as for learners.
CREATE TABLE indicator_entries (
    id             INTEGER PRIMARY KEY,
    unit           TEXT NOT NULL,
    province_code  INTEGER,
    commune_code   INTEGER,
    branch_id      INTEGER,
    indicator      TEXT NOT NULL CHECK (indicator IN ('trees', 'waste_models', 'green_farms',
                   'elders_startup', 'startup_models', 'jobs')),
    on_date        TEXT NOT NULL,
    value          INTEGER NOT NULL CHECK (value >= 0),
    note           TEXT NOT NULL DEFAULT '',
    entered_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    entered_at     TEXT NOT NULL
);
CREATE INDEX indicator_entries_province ON indicator_entries (province_code, indicator, on_date);
CREATE INDEX indicator_entries_commune ON indicator_entries (commune_code, indicator, on_date);

CREATE TABLE indicator_targets (
    unit       TEXT NOT NULL,
    indicator  TEXT NOT NULL,
    year       INTEGER NOT NULL,
    target     INTEGER NOT NULL CHECK (target >= 0),
    set_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    set_at     TEXT NOT NULL,
    PRIMARY KEY (unit, indicator, year)
);

-- Leaders who receive the report of a unit every month or quarter; `next_at` (UTC ISO) is
-- when the next one is due, so a restart neither skips nor repeats one.
CREATE TABLE report_subscriptions (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    unit      TEXT NOT NULL,
    period    TEXT NOT NULL CHECK (period IN ('month', 'quarter')),
    next_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, unit)
);
CREATE INDEX report_subscriptions_due ON report_subscriptions (next_at);
