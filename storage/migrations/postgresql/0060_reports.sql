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
    p BIGINT, c BIGINT, b BIGINT, birth_year BIGINT, sex TEXT,
    rural BIGINT, poor BIGINT, alone BIGINT, disabled BIGINT,
    day TEXT,
    registered BIGINT, proficient BIGINT,
    m_dich_vu_cong BIGINT, m_thanh_toan BIGINT, m_mua_sam BIGINT, m_an_toan BIGINT,
    m_dia_phuong BIGINT,
    i_chuyen_doi_so BIGINT, i_chuyen_doi_xanh BIGINT, i_khoi_nghiep BIGINT, i_viec_lam BIGINT
);

-- Current counts per unit and one breakdown at a time: dim 'by' (val: birth year), 'sex'
-- (val: nam, nu or ''), 'grp' (val: nong_thon, ngheo, mot_minh, khuyet_tat; only people in it).
CREATE TABLE stat_cells (
    province_code  BIGINT NOT NULL,
    commune_code   BIGINT NOT NULL,
    branch_id      BIGINT NOT NULL,
    dim            TEXT NOT NULL,
    val            TEXT NOT NULL,
    since          BIGINT NOT NULL,
    registered BIGINT NOT NULL, proficient BIGINT NOT NULL,
    m_dich_vu_cong BIGINT NOT NULL, m_thanh_toan BIGINT NOT NULL, m_mua_sam BIGINT NOT NULL,
    m_an_toan BIGINT NOT NULL, m_dia_phuong BIGINT NOT NULL,
    i_chuyen_doi_so BIGINT NOT NULL, i_chuyen_doi_xanh BIGINT NOT NULL,
    i_khoi_nghiep BIGINT NOT NULL, i_viec_lam BIGINT NOT NULL,
    PRIMARY KEY (province_code, commune_code, branch_id, dim, val, since)
);
CREATE INDEX stat_cells_commune ON stat_cells (commune_code, branch_id);
CREATE INDEX stat_cells_branch ON stat_cells (branch_id);

-- The same deltas per day (Vietnam date), without breakdowns: any past date's figures, the
-- month-by-month trend and the sub-units, by summing up to that day.
CREATE TABLE stat_days (
    province_code  BIGINT NOT NULL,
    commune_code   BIGINT NOT NULL,
    branch_id      BIGINT NOT NULL,
    day            TEXT NOT NULL,
    since          BIGINT NOT NULL,
    registered BIGINT NOT NULL, proficient BIGINT NOT NULL,
    m_dich_vu_cong BIGINT NOT NULL, m_thanh_toan BIGINT NOT NULL, m_mua_sam BIGINT NOT NULL,
    m_an_toan BIGINT NOT NULL, m_dia_phuong BIGINT NOT NULL,
    i_chuyen_doi_so BIGINT NOT NULL, i_chuyen_doi_xanh BIGINT NOT NULL,
    i_khoi_nghiep BIGINT NOT NULL, i_viec_lam BIGINT NOT NULL,
    PRIMARY KEY (province_code, branch_id, commune_code, day, since)
);
CREATE INDEX stat_days_commune ON stat_days (commune_code, branch_id, day);
CREATE INDEX stat_days_branch ON stat_days (branch_id, day);


-- SQLite's date(x, '+7 hours'): the Vietnam date of a UTC ISO time, NULL for none.
CREATE FUNCTION vn_day(t TEXT) RETURNS TEXT LANGUAGE sql STABLE SET timezone = 'UTC' AS $$
    SELECT to_char(NULLIF(t, '')::timestamptz + interval '7 hours', 'YYYY-MM-DD')
$$;

-- The fan-out of one delta vector, as SQLite's stat_delta_apply: the row itself is dropped
-- (RETURN NULL, SQLite's RAISE(IGNORE)), so stat_delta stays empty.
CREATE FUNCTION stat_delta_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stat_cells AS t
    SELECT NEW.p, NEW.c, br.b, d.dim, d.val, GREATEST(COALESCE(NEW.birth_year + 60, 0), 2025),
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
    ON CONFLICT (province_code, commune_code, branch_id, dim, val, since) DO UPDATE SET
        registered = t.registered + excluded.registered,
        proficient = t.proficient + excluded.proficient,
        m_dich_vu_cong = t.m_dich_vu_cong + excluded.m_dich_vu_cong,
        m_thanh_toan = t.m_thanh_toan + excluded.m_thanh_toan,
        m_mua_sam = t.m_mua_sam + excluded.m_mua_sam,
        m_an_toan = t.m_an_toan + excluded.m_an_toan,
        m_dia_phuong = t.m_dia_phuong + excluded.m_dia_phuong,
        i_chuyen_doi_so = t.i_chuyen_doi_so + excluded.i_chuyen_doi_so,
        i_chuyen_doi_xanh = t.i_chuyen_doi_xanh + excluded.i_chuyen_doi_xanh,
        i_khoi_nghiep = t.i_khoi_nghiep + excluded.i_khoi_nghiep,
        i_viec_lam = t.i_viec_lam + excluded.i_viec_lam;
    INSERT INTO stat_days AS t
    SELECT NEW.p, NEW.c, br.b, NEW.day, GREATEST(COALESCE(NEW.birth_year + 60, 0), 2025),
           NEW.registered, NEW.proficient, NEW.m_dich_vu_cong, NEW.m_thanh_toan, NEW.m_mua_sam,
           NEW.m_an_toan, NEW.m_dia_phuong, NEW.i_chuyen_doi_so, NEW.i_chuyen_doi_xanh,
           NEW.i_khoi_nghiep, NEW.i_viec_lam
    FROM (SELECT -1 AS b UNION ALL SELECT NEW.b) AS br
    ON CONFLICT (province_code, commune_code, branch_id, day, since) DO UPDATE SET
        registered = t.registered + excluded.registered,
        proficient = t.proficient + excluded.proficient,
        m_dich_vu_cong = t.m_dich_vu_cong + excluded.m_dich_vu_cong,
        m_thanh_toan = t.m_thanh_toan + excluded.m_thanh_toan,
        m_mua_sam = t.m_mua_sam + excluded.m_mua_sam,
        m_an_toan = t.m_an_toan + excluded.m_an_toan,
        m_dia_phuong = t.m_dia_phuong + excluded.m_dia_phuong,
        i_chuyen_doi_so = t.i_chuyen_doi_so + excluded.i_chuyen_doi_so,
        i_chuyen_doi_xanh = t.i_chuyen_doi_xanh + excluded.i_chuyen_doi_xanh,
        i_khoi_nghiep = t.i_khoi_nghiep + excluded.i_khoi_nghiep,
        i_viec_lam = t.i_viec_lam + excluded.i_viec_lam;
    -- Someone left: drop rows left empty (as in SQLite).
    IF NEW.registered < 0 THEN
        DELETE FROM stat_cells
        WHERE province_code = NEW.p AND commune_code = NEW.c
              AND branch_id IN (-1, NEW.b) AND registered = 0;
        DELETE FROM stat_days
        WHERE province_code = NEW.p AND commune_code = NEW.c
              AND branch_id IN (-1, NEW.b) AND day = NEW.day
              AND registered = 0 AND proficient = 0 AND m_dich_vu_cong = 0 AND m_thanh_toan = 0
              AND m_mua_sam = 0 AND m_an_toan = 0 AND m_dia_phuong = 0 AND i_chuyen_doi_so = 0
              AND i_chuyen_doi_xanh = 0 AND i_khoi_nghiep = 0 AND i_viec_lam = 0;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stat_delta_apply BEFORE INSERT ON stat_delta
    FOR EACH ROW EXECUTE FUNCTION stat_delta_apply();

-- What a learner's areas and topics add, read from the child tables.
CREATE VIEW stat_children AS
SELECT u.id AS user_id,
    COALESCE((SELECT mastered FROM area_mastery a WHERE a.user_id = u.id AND a.area = 'dich_vu_cong'), 0) AS m_dich_vu_cong,
    COALESCE((SELECT mastered FROM area_mastery a WHERE a.user_id = u.id AND a.area = 'thanh_toan'), 0) AS m_thanh_toan,
    COALESCE((SELECT mastered FROM area_mastery a WHERE a.user_id = u.id AND a.area = 'mua_sam'), 0) AS m_mua_sam,
    COALESCE((SELECT mastered FROM area_mastery a WHERE a.user_id = u.id AND a.area = 'an_toan'), 0) AS m_an_toan,
    COALESCE((SELECT mastered FROM area_mastery a WHERE a.user_id = u.id AND a.area = 'dia_phuong'), 0) AS m_dia_phuong,
    (EXISTS (SELECT 1 FROM informed i WHERE i.user_id = u.id AND i.topic = 'chuyen_doi_so'))::int AS i_chuyen_doi_so,
    (EXISTS (SELECT 1 FROM informed i WHERE i.user_id = u.id AND i.topic = 'chuyen_doi_xanh'))::int AS i_chuyen_doi_xanh,
    (EXISTS (SELECT 1 FROM informed i WHERE i.user_id = u.id AND i.topic = 'khoi_nghiep'))::int AS i_khoi_nghiep,
    (EXISTS (SELECT 1 FROM informed i WHERE i.user_id = u.id AND i.topic = 'viec_lam'))::int AS i_viec_lam
FROM users u;

-- A learner's row changed in a way the counters see: out with the old row, in with the new.
CREATE FUNCTION stat_users_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stat_delta
    SELECT COALESCE(OLD.province_code, 0), COALESCE(OLD.commune_code, 0),
           COALESCE(OLD.branch_id, 0), OLD.birth_year, OLD.sex, OLD.rural, OLD.poor,
           OLD.alone, OLD.disabled,
           vn_day(GREATEST(NEW.last_active_at, COALESCE(NEW.registered_at, ''))),
           -1, -OLD.proficient, -k.m_dich_vu_cong, -k.m_thanh_toan, -k.m_mua_sam,
           -k.m_an_toan, -k.m_dia_phuong, -k.i_chuyen_doi_so, -k.i_chuyen_doi_xanh,
           -k.i_khoi_nghiep, -k.i_viec_lam
    FROM stat_children k
    WHERE k.user_id = OLD.id AND OLD.consent = 'given' AND OLD.registered_at IS NOT NULL;
    INSERT INTO stat_delta
    SELECT COALESCE(NEW.province_code, 0), COALESCE(NEW.commune_code, 0),
           COALESCE(NEW.branch_id, 0), NEW.birth_year, NEW.sex, NEW.rural, NEW.poor,
           NEW.alone, NEW.disabled,
           vn_day(GREATEST(NEW.last_active_at, COALESCE(NEW.registered_at, ''))),
           1, NEW.proficient, k.m_dich_vu_cong, k.m_thanh_toan, k.m_mua_sam,
           k.m_an_toan, k.m_dia_phuong, k.i_chuyen_doi_so, k.i_chuyen_doi_xanh,
           k.i_khoi_nghiep, k.i_viec_lam
    FROM stat_children k
    WHERE k.user_id = NEW.id AND NEW.consent = 'given' AND NEW.registered_at IS NOT NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER stat_users_update AFTER UPDATE OF
    consent, registered_at, province_code, commune_code, branch_id, birth_year, sex,
    rural, poor, alone, disabled, proficient ON users
FOR EACH ROW WHEN (OLD.consent IS DISTINCT FROM NEW.consent
    OR OLD.registered_at IS DISTINCT FROM NEW.registered_at
    OR OLD.province_code IS DISTINCT FROM NEW.province_code
    OR OLD.commune_code IS DISTINCT FROM NEW.commune_code
    OR OLD.branch_id IS DISTINCT FROM NEW.branch_id OR OLD.birth_year IS DISTINCT FROM NEW.birth_year
    OR OLD.sex IS DISTINCT FROM NEW.sex OR OLD.rural IS DISTINCT FROM NEW.rural
    OR OLD.poor IS DISTINCT FROM NEW.poor OR OLD.alone IS DISTINCT FROM NEW.alone
    OR OLD.disabled IS DISTINCT FROM NEW.disabled OR OLD.proficient IS DISTINCT FROM NEW.proficient)
EXECUTE FUNCTION stat_users_update();

-- A learner inserted already signed up (imports, merges): what the row adds.
CREATE FUNCTION stat_users_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stat_delta
    SELECT COALESCE(NEW.province_code, 0), COALESCE(NEW.commune_code, 0),
           COALESCE(NEW.branch_id, 0), NEW.birth_year, NEW.sex, NEW.rural, NEW.poor,
           NEW.alone, NEW.disabled,
           vn_day(NEW.registered_at), 1, NEW.proficient, 0, 0, 0, 0, 0, 0, 0, 0, 0;
    RETURN NULL;
END $$;
CREATE TRIGGER stat_users_insert AFTER INSERT ON users
FOR EACH ROW WHEN (NEW.consent = 'given' AND NEW.registered_at IS NOT NULL)
EXECUTE FUNCTION stat_users_insert();

-- Erasure: the learner's whole contribution leaves on the day it happens. The rows that
-- cascade from it are then skipped below (their learner is gone).
CREATE FUNCTION stat_users_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stat_delta
    SELECT COALESCE(OLD.province_code, 0), COALESCE(OLD.commune_code, 0),
           COALESCE(OLD.branch_id, 0), OLD.birth_year, OLD.sex, OLD.rural, OLD.poor,
           OLD.alone, OLD.disabled, vn_day(OLD.last_active_at),
           -1, -OLD.proficient, -k.m_dich_vu_cong, -k.m_thanh_toan, -k.m_mua_sam,
           -k.m_an_toan, -k.m_dia_phuong, -k.i_chuyen_doi_so, -k.i_chuyen_doi_xanh,
           -k.i_khoi_nghiep, -k.i_viec_lam
    FROM stat_children k WHERE k.user_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER stat_users_delete BEFORE DELETE ON users
FOR EACH ROW WHEN (OLD.consent = 'given' AND OLD.registered_at IS NOT NULL)
EXECUTE FUNCTION stat_users_delete();

-- An area mastered or lost (or moved to another learner when two are merged).
CREATE FUNCTION stat_area_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.mastered = 1 THEN
        INSERT INTO stat_delta
        SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
           u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
               vn_day(CASE WHEN TG_OP = 'DELETE' THEN u.last_active_at ELSE NEW.updated_at END),
               0, 0, -(OLD.area = 'dich_vu_cong')::int, -(OLD.area = 'thanh_toan')::int, -(OLD.area = 'mua_sam')::int, -(OLD.area = 'an_toan')::int, -(OLD.area = 'dia_phuong')::int, 0, 0, 0, 0
        FROM users u
        WHERE u.id = OLD.user_id AND u.consent = 'given' AND u.registered_at IS NOT NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.mastered = 1 THEN
        INSERT INTO stat_delta
        SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
           u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
               vn_day(NEW.updated_at), 0, 0, (NEW.area = 'dich_vu_cong')::int, (NEW.area = 'thanh_toan')::int, (NEW.area = 'mua_sam')::int, (NEW.area = 'an_toan')::int, (NEW.area = 'dia_phuong')::int, 0, 0, 0, 0
        FROM users u
        WHERE u.id = NEW.user_id AND u.consent = 'given' AND u.registered_at IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stat_area_insert AFTER INSERT ON area_mastery
FOR EACH ROW WHEN (NEW.mastered = 1) EXECUTE FUNCTION stat_area_change();
CREATE TRIGGER stat_area_update AFTER UPDATE OF mastered, user_id, area ON area_mastery
FOR EACH ROW WHEN (OLD.mastered != NEW.mastered OR OLD.user_id != NEW.user_id OR OLD.area != NEW.area)
EXECUTE FUNCTION stat_area_change();
-- Deleting an area row on its own (not by erasure: then the user row is already gone).
CREATE TRIGGER stat_area_delete AFTER DELETE ON area_mastery
FOR EACH ROW WHEN (OLD.mastered = 1) EXECUTE FUNCTION stat_area_change();

-- Informed on a topic (the first acknowledgement of an announcement on it), or no longer.
CREATE FUNCTION stat_informed_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO stat_delta
        SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
           u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
               vn_day(NEW.first_at), 0, 0, 0, 0, 0, 0, 0, (NEW.topic = 'chuyen_doi_so')::int, (NEW.topic = 'chuyen_doi_xanh')::int, (NEW.topic = 'khoi_nghiep')::int, (NEW.topic = 'viec_lam')::int
        FROM users u
        WHERE u.id = NEW.user_id AND u.consent = 'given' AND u.registered_at IS NOT NULL;
    ELSE
        INSERT INTO stat_delta
        SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
           u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
               vn_day(u.last_active_at), 0, 0, 0, 0, 0, 0, 0, -(OLD.topic = 'chuyen_doi_so')::int, -(OLD.topic = 'chuyen_doi_xanh')::int, -(OLD.topic = 'khoi_nghiep')::int, -(OLD.topic = 'viec_lam')::int
        FROM users u
        WHERE u.id = OLD.user_id AND u.consent = 'given' AND u.registered_at IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stat_informed_insert AFTER INSERT ON informed
FOR EACH ROW EXECUTE FUNCTION stat_informed_change();
CREATE TRIGGER stat_informed_delete AFTER DELETE ON informed
FOR EACH ROW EXECUTE FUNCTION stat_informed_change();

-- Counters for what a database already holds (empty when created; kept for parity).
INSERT INTO stat_delta
SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
           u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
       vn_day(u.registered_at), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM users u WHERE u.consent = 'given' AND u.registered_at IS NOT NULL;
INSERT INTO stat_delta
SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
           u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
       vn_day(a.updated_at), 0, 0, (a.area = 'dich_vu_cong')::int, (a.area = 'thanh_toan')::int, (a.area = 'mua_sam')::int, (a.area = 'an_toan')::int, (a.area = 'dia_phuong')::int, 0, 0, 0, 0
FROM area_mastery a JOIN users u ON u.id = a.user_id
WHERE a.mastered = 1 AND u.consent = 'given' AND u.registered_at IS NOT NULL;
INSERT INTO stat_delta
SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
           u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
       vn_day(i.first_at), 0, 0, 0, 0, 0, 0, 0, (i.topic = 'chuyen_doi_so')::int, (i.topic = 'chuyen_doi_xanh')::int, (i.topic = 'khoi_nghiep')::int, (i.topic = 'viec_lam')::int
FROM informed i JOIN users u ON u.id = i.user_id
WHERE u.consent = 'given' AND u.registered_at IS NOT NULL;
INSERT INTO stat_delta
SELECT COALESCE(u.province_code, 0), COALESCE(u.commune_code, 0), COALESCE(u.branch_id, 0),
           u.birth_year, u.sex, u.rural, u.poor, u.alone, u.disabled,
       vn_day(COALESCE((SELECT max(a.updated_at) FROM area_mastery a WHERE a.user_id = u.id),
                       u.registered_at)),
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
    year       BIGINT NOT NULL CHECK (year BETWEEN 2025 AND 2100),
    percent    DOUBLE PRECISION NOT NULL CHECK (percent BETWEEN 0 AND 100),
    set_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
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
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    unit           TEXT NOT NULL,
    province_code  BIGINT,
    commune_code   BIGINT,
    branch_id      BIGINT,
    indicator      TEXT NOT NULL CHECK (indicator IN ('trees', 'waste_models', 'green_farms',
                   'elders_startup', 'startup_models', 'jobs')),
    on_date        TEXT NOT NULL,
    value          BIGINT NOT NULL CHECK (value >= 0),
    note           TEXT NOT NULL DEFAULT '',
    entered_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    entered_at     TEXT NOT NULL
);
CREATE INDEX indicator_entries_province ON indicator_entries (province_code, indicator, on_date);
CREATE INDEX indicator_entries_commune ON indicator_entries (commune_code, indicator, on_date);

CREATE TABLE indicator_targets (
    unit       TEXT NOT NULL,
    indicator  TEXT NOT NULL,
    year       BIGINT NOT NULL,
    target     BIGINT NOT NULL CHECK (target >= 0),
    set_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    set_at     TEXT NOT NULL,
    PRIMARY KEY (unit, indicator, year)
);

-- Leaders who receive the report of a unit every month or quarter; `next_at` (UTC ISO) is
-- when the next one is due, so a restart neither skips nor repeats one.
CREATE TABLE report_subscriptions (
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    unit      TEXT NOT NULL,
    period    TEXT NOT NULL CHECK (period IN ('month', 'quarter')),
    next_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, unit)
);
CREATE INDEX report_subscriptions_due ON report_subscriptions (next_at);
