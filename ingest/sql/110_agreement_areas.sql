-- 110 agreement areas: agreement_members + ref_areas + ref_region_members -> cell_areas,
-- cell_member_rows (working) and agreement_areas (a view). Each agreement member row once per
-- geography level it is counted at, with its area there: the city, its ward, district, sector
-- and H3 cells (where it has them), and the region of every council region set that holds its
-- district or ward (regions are unions of whole districts or wards, boundaries/regions.py).
-- Step 115 reads one level at a time. Areas are carried as small integers (area_id) and named
-- only once the cells are counted: grouping millions of rows by an integer is cheaper than by
-- its text (issue #18).
-- cell_areas holds every area a level can have and its number there: for ward, district,
-- sector and H3 the position in the column's ENUM (005), so every code a row can hold is
-- named; for the city and the regions their position in ref_areas.
CREATE OR REPLACE TABLE cell_areas AS
SELECT 'ward' AS level, code AS area_code,
       CAST(enum_code(CAST(code AS ward_code_t)) AS INTEGER) AS area_id
FROM unnest(enum_range(NULL::ward_code_t)) AS t(code)
UNION ALL
SELECT 'district', code, CAST(enum_code(CAST(code AS district_t)) AS INTEGER)
FROM unnest(enum_range(NULL::district_t)) AS t(code)
UNION ALL
SELECT 'sector', code, CAST(enum_code(CAST(code AS sector_t)) AS INTEGER)
FROM unnest(enum_range(NULL::sector_t)) AS t(code)
UNION ALL
SELECT 'h3r7', code, CAST(enum_code(CAST(code AS h3r7_t)) AS INTEGER)
FROM unnest(enum_range(NULL::h3r7_t)) AS t(code)
UNION ALL
SELECT 'h3r8', code, CAST(enum_code(CAST(code AS h3r8_t)) AS INTEGER)
FROM unnest(enum_range(NULL::h3r8_t)) AS t(code)
UNION ALL
SELECT level, area_code,
       CAST(row_number() OVER (PARTITION BY level ORDER BY area_code) - 1 AS INTEGER)
FROM ref_areas
WHERE level IN ('city', 'region');

-- cell_member_rows: agreement rows per period member, by which ingest/cells.py sizes the
-- chunks step 115 runs in.
CREATE OR REPLACE TABLE cell_member_rows AS
SELECT m.period_kind, m.position, count(a.agreement_idx) AS n
FROM period_members AS m
LEFT JOIN agreement_members AS a ON a.period_kind = m.period_kind AND a.member = m.position
GROUP BY ALL;

CREATE OR REPLACE VIEW agreement_areas AS
SELECT 'city' AS level, g.area_id, a.*
FROM agreement_members AS a
CROSS JOIN (SELECT area_id FROM cell_areas WHERE level = 'city') AS g
UNION ALL
SELECT 'ward', CAST(enum_code(a.ward_code) AS INTEGER), a.* FROM agreement_members AS a
WHERE a.ward_code IS NOT NULL
UNION ALL
SELECT 'district', CAST(enum_code(a.district) AS INTEGER), a.* FROM agreement_members AS a
WHERE a.district IS NOT NULL
UNION ALL
SELECT 'sector', CAST(enum_code(a.sector) AS INTEGER), a.* FROM agreement_members AS a
WHERE a.sector IS NOT NULL
UNION ALL
SELECT 'h3r7', CAST(enum_code(a.h3r7) AS INTEGER), a.* FROM agreement_members AS a
WHERE a.h3r7 IS NOT NULL
UNION ALL
SELECT 'h3r8', CAST(enum_code(a.h3r8) AS INTEGER), a.* FROM agreement_members AS a
WHERE a.h3r8 IS NOT NULL
UNION ALL
SELECT 'region', g.area_id, a.* FROM agreement_members AS a
JOIN ref_region_members AS r ON r.member_level = 'district' AND r.member_code = a.district
JOIN cell_areas AS g ON g.level = 'region' AND g.area_code = r.area_code
UNION ALL
SELECT 'region', g.area_id, a.* FROM agreement_members AS a
JOIN ref_region_members AS r ON r.member_level = 'ward' AND r.member_code = a.ward_code
JOIN cell_areas AS g ON g.level = 'region' AND g.area_code = r.area_code;

CREATE TABLE workspace.cells_truth (
    level VARCHAR,
    area_code VARCHAR,
    period_kind VARCHAR,
    period VARCHAR,
    what VARCHAR,
    age_band VARCHAR,
    client_group VARCHAR,
    gender VARCHAR,
    ethnic_group VARCHAR,
    people_n INTEGER,
    people_ckey INTEGER,
    agreements_active_n INTEGER,
    agreements_active_ckey INTEGER,
    agreements_started_n INTEGER,
    agreements_started_ckey INTEGER,
    people_over_6w_n INTEGER,
    people_over_6w_ckey INTEGER,
    cost_total DOUBLE,
    cost_top1 DOUBLE,
    cost_top2 DOUBLE,
    cost_beyond_42_total DOUBLE,
    cost_beyond_42_top1 DOUBLE,
    cost_beyond_42_top2 DOUBLE
);

-- cell_parts: one part's cells of the chunk step 115 is counting, before they are merged and
-- named (115 splits a period member too large to count at once into parts of its people).
-- TEMP: held in memory, never written to the working file.
CREATE OR REPLACE TEMP TABLE cell_parts (
    area_id INTEGER,
    member INTEGER,
    element_code element_code_t,
    service_code service_code_t,
    mia_theme mia_theme_t,
    provision_type provision_type_t,
    age_band age_band_t,
    client_group client_group_t,
    gender gender_t,
    ethnic_group ethnic_group_t,
    people_n INTEGER,
    people_ckey INTEGER,
    agreements_active_n INTEGER,
    agreements_active_ckey INTEGER,
    agreements_started_n INTEGER,
    agreements_started_ckey INTEGER,
    people_over_6w_n INTEGER,
    people_over_6w_ckey INTEGER,
    cost_total DOUBLE,
    cost_top1 DOUBLE,
    cost_top2 DOUBLE,
    cost_beyond_42_total DOUBLE,
    cost_beyond_42_top1 DOUBLE,
    cost_beyond_42_top2 DOUBLE
);
