-- 115 cells truth: agreement_areas -> workspace.cells_truth, for one level and period kind.
-- Run once per (level, period kind) the catalogue publishes (variables cell_level and
-- cell_period_kind), with the GROUPING SETS list below filled with the level's breakdown sets from
-- queries/catalogue.py (ingest/cells.py renders them): the one place the catalogue's
-- combinations become SQL. Two levels of grouping: first each person's part of each cell
-- (their agreements, started agreements, cost, enablement beyond 6 weeks), so a person counts
-- once however many agreements they have there; then the cell: distinct people and the sum of
-- their record keys (mod 256: the cell key), agreements and their key sum, and for money the
-- total and the two largest single people's shares (the dominance rule and the noise scale,
-- PRIVACY.md §4). Grouped-in but absent attributes (an element with no MIA theme) are no
-- member and are dropped. GROUPING() bits, most significant first: element 128, service 64,
-- theme 32, provision 16, age band 8, client group 4, gender 2, ethnic group 1 (1 = all).
-- GROUPING() takes only grouped columns, so the rendered list ends with the finest set (every
-- attribute); no catalogue cell has rolled = 0, so its rows are dropped.
INSERT INTO workspace.cells_truth
WITH person_cells AS (
    SELECT
        area_code,
        period,
        element_code,
        service_code,
        mia_theme,
        provision_type,
        age_band,
        client_group,
        gender,
        ethnic_group,
        GROUPING(
            element_code, service_code, mia_theme, provision_type,
            age_band, client_group, gender, ethnic_group
        ) AS rolled,
        any_value(person_key) AS person_key,
        count(*) AS active_n,
        sum(agreement_key) AS active_keys,
        count_if(started) AS started_n,
        coalesce(sum(agreement_key) FILTER (WHERE started), 0) AS started_keys,
        sum(cost) AS cost,
        bool_or(over_6w) AS over_6w,
        sum(cost_beyond_42) AS cost_beyond_42
    FROM agreement_areas
    WHERE level = getvariable('cell_level') AND period_kind = getvariable('cell_period_kind')
    GROUP BY GROUPING SETS (${grouping_sets})
)
SELECT
    getvariable('cell_level') AS level,
    area_code,
    getvariable('cell_period_kind') AS period_kind,
    period,
    CASE
        WHEN rolled & 128 = 0 THEN 'element:' || element_code
        WHEN rolled & 64 = 0 THEN 'service:' || service_code
        WHEN rolled & 48 = 0 THEN 'theme:' || mia_theme || ':' || provision_type
        WHEN rolled & 32 = 0 THEN 'theme:' || mia_theme
        WHEN rolled & 16 = 0 THEN 'provision:' || provision_type
        ELSE 'all'
    END AS what,
    CASE WHEN rolled & 8 = 0 THEN CAST(age_band AS VARCHAR) ELSE 'all' END AS age_band,
    CASE WHEN rolled & 4 = 0 THEN CAST(client_group AS VARCHAR) ELSE 'all' END AS client_group,
    CASE WHEN rolled & 2 = 0 THEN CAST(gender AS VARCHAR) ELSE 'all' END AS gender,
    CASE WHEN rolled & 1 = 0 THEN CAST(ethnic_group AS VARCHAR) ELSE 'all' END AS ethnic_group,
    count(*) AS people_n,
    sum(person_key) % 256 AS people_ckey,
    sum(active_n) AS agreements_active_n,
    sum(active_keys) % 256 AS agreements_active_ckey,
    sum(started_n) AS agreements_started_n,
    sum(started_keys) % 256 AS agreements_started_ckey,
    count_if(over_6w) AS people_over_6w_n,
    coalesce(sum(person_key) FILTER (WHERE over_6w), 0) % 256 AS people_over_6w_ckey,
    sum(cost) AS cost_total,
    max(cost, 2)[1] AS cost_top1,
    max(cost, 2)[2] AS cost_top2,
    sum(cost_beyond_42) AS cost_beyond_42_total,
    max(cost_beyond_42, 2)[1] AS cost_beyond_42_top1,
    max(cost_beyond_42, 2)[2] AS cost_beyond_42_top2
FROM person_cells
WHERE rolled <> 0 AND NOT (rolled & 32 = 0 AND mia_theme IS NULL)
GROUP BY ALL;
