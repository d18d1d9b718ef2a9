-- 110 agreement areas: agreement_members + ref_areas + ref_region_members -> agreement_areas
-- (a view). Each agreement member row once per geography level it is counted at, with its
-- area there: the city, its ward, district, sector and H3 cells (where it has them), and the
-- region of every council region set that holds its district or ward (regions are unions of
-- whole districts or wards, boundaries/regions.py). Step 115 reads one level at a time.
CREATE OR REPLACE VIEW agreement_areas AS
SELECT 'city' AS level, g.area_code, a.*
FROM agreement_members AS a
CROSS JOIN (SELECT area_code FROM ref_areas WHERE level = 'city') AS g
UNION ALL
SELECT 'ward', CAST(a.ward_code AS VARCHAR), a.* FROM agreement_members AS a
WHERE a.ward_code IS NOT NULL
UNION ALL
SELECT 'district', CAST(a.district AS VARCHAR), a.* FROM agreement_members AS a
WHERE a.district IS NOT NULL
UNION ALL
SELECT 'sector', CAST(a.sector AS VARCHAR), a.* FROM agreement_members AS a
WHERE a.sector IS NOT NULL
UNION ALL
SELECT 'h3r7', CAST(a.h3r7 AS VARCHAR), a.* FROM agreement_members AS a
WHERE a.h3r7 IS NOT NULL
UNION ALL
SELECT 'h3r8', CAST(a.h3r8 AS VARCHAR), a.* FROM agreement_members AS a
WHERE a.h3r8 IS NOT NULL
UNION ALL
SELECT 'region', r.area_code, a.* FROM agreement_members AS a
JOIN ref_region_members AS r ON r.member_level = 'district' AND r.member_code = a.district
UNION ALL
SELECT 'region', r.area_code, a.* FROM agreement_members AS a
JOIN ref_region_members AS r ON r.member_level = 'ward' AND r.member_code = a.ward_code;

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
