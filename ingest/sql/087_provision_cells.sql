-- 087 provision cells: serving.person_periods + catalogue -> serving.provision_cells.
-- Owned by the query layer (queries/): the provision view's cells for every period and every
-- area of each fixed level when no filter other than the period range and the areas applies,
-- so the most common (and largest) provision query reads a few hundred rows instead of
-- grouping every person-period row of the city. Cells are counted as
-- queries/sql/cells_provision.sql counts them per period: a person counts once in a cell, for
-- each provision type whose elements any of their rows there holds; costs are the rows'
-- pre-summed costs per type. n_* / k_* are distinct people and their record-key sum (never
-- published as they are: the query layer perturbs them like any other count).
--   level  city, ward, district, sector, h3r7, h3r8 (area 'city' at level city)
--   n_all, k_all  people in the cell; n_i/k_i, n_e/k_e, n_d/k_d  internal, external, direct
--   internal_cost, external_cost, direct_cost, cost  by type and in all; NULL when no cost
--                  is known
--   agreements, agreement_keys, started, started_keys  agreements active / started in the
--                  period and their record-key sums (each agreement is in one cell of a level)
--   age_band  NULL for every age band, else the cells of that band's people (a person whose
--             band changes inside the period is in each band's cell they had a row in)
-- Step 089 counts the same people, in all age bands, over any range of periods
-- (provision_spans).
-- The level and area of a row of the GROUPING SETS below, from GROUPING(ward_code, district,
-- sector, h3r7, h3r8): a bit per column, set when the row is not grouped by it (31: the city).
CREATE OR REPLACE TEMP MACRO cell_level(g) AS
    CASE g WHEN 15 THEN 'ward' WHEN 23 THEN 'district' WHEN 27 THEN 'sector'
           WHEN 29 THEN 'h3r7' WHEN 30 THEN 'h3r8' ELSE 'city' END;
CREATE OR REPLACE TEMP MACRO cell_area(g, ward, district, sector, h3r7, h3r8) AS
    CASE g WHEN 15 THEN ward::VARCHAR WHEN 23 THEN district::VARCHAR
           WHEN 27 THEN sector::VARCHAR WHEN 29 THEN h3r7::VARCHAR
           WHEN 30 THEN h3r8::VARCHAR ELSE 'city' END;
-- Each provision type's bits in person_periods.element_mask (also read by step 089).
CREATE OR REPLACE TEMP TABLE type_masks AS
SELECT
    coalesce(bit_or(CAST(1 AS UBIGINT) << b.element_bit)
                 FILTER (WHERE c.provision_type = 'Internal'), 0) AS internal_mask,
    coalesce(bit_or(CAST(1 AS UBIGINT) << b.element_bit)
                 FILTER (WHERE c.provision_type = 'External'), 0) AS external_mask,
    coalesce(bit_or(CAST(1 AS UBIGINT) << b.element_bit)
                 FILTER (WHERE c.provision_type = 'Direct payment'), 0) AS direct_mask
FROM serving.element_bits AS b
JOIN catalogue AS c USING (element_code);

CREATE TABLE serving.provision_cells AS
WITH units AS (
    -- A person with one row in the period counts as that row (most people: 99%).
    SELECT period_kind, period, sector, district, ward_code, h3r7, h3r8, age_band,
           person_key, element_mask AS mask, internal_cost, external_cost, direct_cost, cost,
           agreements, agreement_keys, started, started_keys
    FROM serving.person_periods
    WHERE single_row
),
fine AS (
    -- Those people per finest cell (sector x ward x district x H3) and age band, rolled up
    -- below.
    SELECT period_kind, period, sector, district, ward_code, h3r7, h3r8, age_band,
           count(*) AS n_all, sum(person_key) AS k_all,
           count(*) FILTER (WHERE mask & t.internal_mask <> 0) AS n_i,
           sum(person_key) FILTER (WHERE mask & t.internal_mask <> 0) AS k_i,
           count(*) FILTER (WHERE mask & t.external_mask <> 0) AS n_e,
           sum(person_key) FILTER (WHERE mask & t.external_mask <> 0) AS k_e,
           count(*) FILTER (WHERE mask & t.direct_mask <> 0) AS n_d,
           sum(person_key) FILTER (WHERE mask & t.direct_mask <> 0) AS k_d,
           sum(internal_cost) AS internal_cost,
           sum(external_cost) AS external_cost,
           sum(direct_cost) AS direct_cost,
           sum(cost) AS cost,
           sum(agreements) AS agreements, sum(agreement_keys) AS agreement_keys,
           sum(started) AS started, sum(started_keys) AS started_keys
    FROM units, type_masks AS t
    GROUP BY ALL
),
single_cells AS (
    SELECT period_kind, period, age_band,
           cell_level(GROUPING(ward_code, district, sector, h3r7, h3r8)) AS level,
           cell_area(GROUPING(ward_code, district, sector, h3r7, h3r8),
                     ward_code, district, sector, h3r7, h3r8) AS area,
           sum(n_all) AS n_all, sum(k_all) AS k_all,
           sum(n_i) AS n_i, sum(k_i) AS k_i,
           sum(n_e) AS n_e, sum(k_e) AS k_e,
           sum(n_d) AS n_d, sum(k_d) AS k_d,
           sum(internal_cost) AS internal_cost,
           sum(external_cost) AS external_cost,
           sum(direct_cost) AS direct_cost,
           sum(cost) AS cost,
           sum(agreements) AS agreements, sum(agreement_keys) AS agreement_keys,
           sum(started) AS started, sum(started_keys) AS started_keys
    FROM fine
    GROUP BY GROUPING SETS (
        (period_kind, period),
        (period_kind, period, ward_code),
        (period_kind, period, district),
        (period_kind, period, sector),
        (period_kind, period, h3r7),
        (period_kind, period, h3r8),
        (period_kind, period, age_band),
        (period_kind, period, ward_code, age_band),
        (period_kind, period, district, age_band),
        (period_kind, period, sector, age_band),
        (period_kind, period, h3r7, age_band),
        (period_kind, period, h3r8, age_band)
    )
),
multi_units AS (
    -- A person with several rows in the period (areas or categories change inside it): once
    -- per cell of each level (in all and per age band), with the OR of their rows' elements
    -- there.
    SELECT period_kind, period, age_band,
           cell_level(GROUPING(ward_code, district, sector, h3r7, h3r8)) AS level,
           cell_area(GROUPING(ward_code, district, sector, h3r7, h3r8),
                     ward_code, district, sector, h3r7, h3r8) AS area,
           min(person_key) AS person_key,
           bit_or(element_mask) AS mask,
           sum(internal_cost) AS internal_cost,
           sum(external_cost) AS external_cost,
           sum(direct_cost) AS direct_cost,
           sum(cost) AS cost,
           sum(agreements) AS agreements, sum(agreement_keys) AS agreement_keys,
           sum(started) AS started, sum(started_keys) AS started_keys
    FROM serving.person_periods
    WHERE NOT single_row
    GROUP BY GROUPING SETS (
        (period_kind, period, person_idx),
        (period_kind, period, person_idx, ward_code),
        (period_kind, period, person_idx, district),
        (period_kind, period, person_idx, sector),
        (period_kind, period, person_idx, h3r7),
        (period_kind, period, person_idx, h3r8),
        (period_kind, period, person_idx, age_band),
        (period_kind, period, person_idx, ward_code, age_band),
        (period_kind, period, person_idx, district, age_band),
        (period_kind, period, person_idx, sector, age_band),
        (period_kind, period, person_idx, h3r7, age_band),
        (period_kind, period, person_idx, h3r8, age_band)
    )
),
multi_cells AS (
    SELECT period_kind, period, age_band, level, area,
           count(*) AS n_all, sum(person_key) AS k_all,
           count(*) FILTER (WHERE mask & t.internal_mask <> 0) AS n_i,
           sum(person_key) FILTER (WHERE mask & t.internal_mask <> 0) AS k_i,
           count(*) FILTER (WHERE mask & t.external_mask <> 0) AS n_e,
           sum(person_key) FILTER (WHERE mask & t.external_mask <> 0) AS k_e,
           count(*) FILTER (WHERE mask & t.direct_mask <> 0) AS n_d,
           sum(person_key) FILTER (WHERE mask & t.direct_mask <> 0) AS k_d,
           sum(internal_cost) AS internal_cost,
           sum(external_cost) AS external_cost,
           sum(direct_cost) AS direct_cost,
           sum(cost) AS cost,
           sum(agreements) AS agreements, sum(agreement_keys) AS agreement_keys,
           sum(started) AS started, sum(started_keys) AS started_keys
    FROM multi_units, type_masks AS t
    GROUP BY ALL
)
SELECT period_kind, period, level, age_band, area,
       sum(n_all) AS n_all, sum(k_all) AS k_all,
       sum(n_i) AS n_i, sum(k_i) AS k_i,
       sum(n_e) AS n_e, sum(k_e) AS k_e,
       sum(n_d) AS n_d, sum(k_d) AS k_d,
       sum(internal_cost) AS internal_cost,
       sum(external_cost) AS external_cost,
       sum(direct_cost) AS direct_cost,
       sum(cost) AS cost,
       sum(agreements) AS agreements, sum(agreement_keys) AS agreement_keys,
       sum(started) AS started, sum(started_keys) AS started_keys
FROM (SELECT * FROM single_cells UNION ALL SELECT * FROM multi_cells)
GROUP BY period_kind, period, level, age_band, area
ORDER BY period_kind, level, age_band NULLS FIRST, period, area;
