-- 089 provision spans: serving.person_periods + catalogue -> serving.provision_spans.
-- Owned by the query layer (queries/): distinct people over any range of periods, for states
-- with no filter but the period range and the areas, at each fixed level, in all and by
-- provision type. A person is in a range's cell when they are there (with that type) in at
-- least one of its periods; they count once, at their first such period. So each period's
-- people there are stored with the period they were last there before it (previous_ordinal,
-- -1 for none): a range [a, b] counts the rows of periods a..b whose previous_ordinal is
-- before a (queries/sql/provision_spans.sql), a few thousand rows read instead of every
-- person-period row of the range, most of them deduplicated per person.
--   type  0 all people, 1 internal, 2 external, 3 direct payment (as cells_provision.sql: the
--         person holds an element of that type in the cell and period)
--   n, k  distinct people and their record-key sum (perturbed at query time like any count)
-- A person with one location in a period kind (every row in the same sector, ward and H3
-- cells) is in the same cell of every level in each of their periods, so their previous
-- period is found once and their rows rolled up to every level. People who move between
-- periods have it found in each cell of each level they were in.
-- The macros cell_level / cell_area (GROUPING bits -> level, area) and the table type_masks
-- (each provision type's element bits) come from step 087.
CREATE TABLE serving.provision_spans AS
WITH movers AS (
    SELECT period_kind, person_idx
    FROM serving.person_periods
    GROUP BY period_kind, person_idx
    HAVING min(sector) <> max(sector) OR min(district) <> max(district)
        OR min(ward_code) <> max(ward_code) OR min(h3r7) <> max(h3r7)
        OR min(h3r8) <> max(h3r8)
),
settled_periods AS (
    -- One row per settled person and period: their one row there, or the OR of their rows'
    -- elements.
    SELECT p.period_kind, p.person_idx, p.period_ordinal, p.person_key,
           p.sector, p.district, p.ward_code, p.h3r7, p.h3r8, p.element_mask AS mask
    FROM serving.person_periods AS p
    ANTI JOIN movers AS m USING (period_kind, person_idx)
    WHERE p.single_row
    UNION ALL
    SELECT p.period_kind, p.person_idx, p.period_ordinal,
           any_value(p.person_key), any_value(p.sector), any_value(p.district),
           any_value(p.ward_code), any_value(p.h3r7), any_value(p.h3r8),
           bit_or(p.element_mask)
    FROM serving.person_periods AS p
    ANTI JOIN movers AS m USING (period_kind, person_idx)
    WHERE NOT p.single_row
    GROUP BY p.period_kind, p.person_idx, p.period_ordinal
),
settled_previous AS (
    -- The period each was last there before this one, in all and with each type: one window
    -- over a person's periods (settled people are in the same cells in all of them).
    SELECT s.*,
           s.mask & m.internal_mask <> 0 AS has_i,
           s.mask & m.external_mask <> 0 AS has_e,
           s.mask & m.direct_mask <> 0 AS has_d,
           coalesce(max(s.period_ordinal) OVER earlier, -1) AS previous_all,
           coalesce(max(s.period_ordinal) FILTER (WHERE has_i) OVER earlier, -1) AS previous_i,
           coalesce(max(s.period_ordinal) FILTER (WHERE has_e) OVER earlier, -1) AS previous_e,
           coalesce(max(s.period_ordinal) FILTER (WHERE has_d) OVER earlier, -1) AS previous_d
    FROM settled_periods AS s, type_masks AS m
    WINDOW earlier AS (PARTITION BY s.period_kind, s.person_idx ORDER BY s.period_ordinal
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
settled_fine AS (
    -- Per type, finest cell, period and previous period: rolled up to every level below.
    SELECT period_kind, type, period_ordinal, previous_ordinal,
           sector, district, ward_code, h3r7, h3r8,
           count(*) AS n, sum(person_key) AS k
    FROM (
        SELECT *, 0 AS type, previous_all AS previous_ordinal FROM settled_previous
        UNION ALL
        SELECT *, 1, previous_i FROM settled_previous WHERE has_i
        UNION ALL
        SELECT *, 2, previous_e FROM settled_previous WHERE has_e
        UNION ALL
        SELECT *, 3, previous_d FROM settled_previous WHERE has_d
    )
    GROUP BY ALL
),
settled AS (
    SELECT period_kind,
           cell_level(GROUPING(ward_code, district, sector, h3r7, h3r8)) AS level,
           cell_area(GROUPING(ward_code, district, sector, h3r7, h3r8),
                     ward_code, district, sector, h3r7, h3r8) AS area,
           type, period_ordinal, previous_ordinal, sum(n) AS n, sum(k) AS k
    FROM settled_fine
    GROUP BY GROUPING SETS (
        (period_kind, type, period_ordinal, previous_ordinal),
        (period_kind, type, period_ordinal, previous_ordinal, ward_code),
        (period_kind, type, period_ordinal, previous_ordinal, district),
        (period_kind, type, period_ordinal, previous_ordinal, sector),
        (period_kind, type, period_ordinal, previous_ordinal, h3r7),
        (period_kind, type, period_ordinal, previous_ordinal, h3r8)
    )
),
mover_periods AS (
    -- One row per mover, level, cell and period they were in it: the OR of their elements.
    SELECT p.period_kind, p.person_idx, p.period_ordinal, l.level,
           CASE l.level WHEN 'ward' THEN p.ward_code::VARCHAR
                        WHEN 'district' THEN p.district::VARCHAR
                        WHEN 'sector' THEN p.sector::VARCHAR
                        WHEN 'h3r7' THEN p.h3r7::VARCHAR
                        WHEN 'h3r8' THEN p.h3r8::VARCHAR ELSE 'city' END AS area,
           any_value(p.person_key) AS person_key,
           bit_or(p.element_mask) AS mask
    FROM serving.person_periods AS p
    SEMI JOIN movers AS m USING (period_kind, person_idx)
    CROSS JOIN (VALUES ('city'), ('ward'), ('district'), ('sector'), ('h3r7'), ('h3r8'))
        AS l(level)
    GROUP BY ALL
),
moved AS (
    SELECT period_kind, level, area, type, period_ordinal, previous_ordinal,
           count(*) AS n, sum(person_key) AS k
    FROM (
        SELECT s.*, ty.type,
               coalesce(lag(s.period_ordinal) OVER (
                   PARTITION BY s.period_kind, s.level, s.area, s.person_idx, ty.type
                   ORDER BY s.period_ordinal), -1) AS previous_ordinal
        FROM mover_periods AS s, type_masks AS m, (VALUES (0), (1), (2), (3)) AS ty(type)
        WHERE ty.type = 0
           OR (ty.type = 1 AND s.mask & m.internal_mask <> 0)
           OR (ty.type = 2 AND s.mask & m.external_mask <> 0)
           OR (ty.type = 3 AND s.mask & m.direct_mask <> 0)
    )
    GROUP BY ALL
)
SELECT period_kind, level, area, CAST(type AS UTINYINT) AS type,
       CAST(period_ordinal AS SMALLINT) AS period_ordinal,
       CAST(previous_ordinal AS SMALLINT) AS previous_ordinal,
       CAST(sum(n) AS INTEGER) AS n, CAST(sum(k) AS BIGINT) AS k
FROM (SELECT * FROM settled UNION ALL SELECT * FROM moved)
GROUP BY ALL
ORDER BY period_kind, level, period_ordinal, area;
