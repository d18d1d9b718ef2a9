-- 115 cells truth: agreement_areas + period_members + cell_areas -> workspace.cells_truth, for
-- one level and period kind. Run for each (level, period kind) the catalogue publishes
-- (variables cell_level and cell_period_kind), a chunk of its period members at a time
-- (cell_member_first..cell_member_last, positions), each chunk in one or more parts of its
-- people (cell_part of cell_parts: the people whose number mod cell_parts is cell_part).
-- ingest/cells.py sizes chunks and parts so that a run's rows stay bounded and memory does not
-- grow with the extract: a cell is of one member, so chunks never share a cell, and a member
-- too large to count at once (a preset range holds nearly every agreement) is counted a part
-- of its people at a time. set_rows below is filled by ingest/cells.py from
-- queries/catalogue.py: the slice's rows once per breakdown set of the level (the one place
-- the catalogue's combinations become SQL), each with the attributes its set breaks down by
-- and NULL ("all") for the others. A set that breaks down by MIA theme leaves out the rows of
-- elements with no theme (no member). Four steps:
-- 1. slice_rows: the part's rows, one per person, area, period member and combination of all
--    eight attributes, their agreements already summed (a cell counts a person once, so
--    summing a person's agreements that share every attribute first changes no cell). The
--    area is its number in cell_areas and the period its position in period_members:
--    integers, named only in step 4. single: the person has no other row in that area and
--    period member; single_service, single_element: no other row of theirs there with that
--    service (element). A person's rows there are ordered by service and element, and an
--    element has one service (040 takes it from the element catalogue), so their rows with
--    one service or element are neighbours and one look either side tells.
-- 2. person_cells, then the part's cells into cell_parts: first each person's part of each
--    cell (their agreements, started agreements, cost, enablement beyond 6 weeks), so a
--    person counts once however many agreements they have there; then the cell: distinct
--    people and the sum of their record keys (mod 256: the cell key), agreements and their
--    key sum, and for money the total and the two largest single people's shares (the
--    dominance rule and the noise scale, PRIVACY.md §4). A person with a single row is their
--    own part of every cell that row is in, so only the other people's rows are grouped by
--    person (the grouping of one row is that row: the same values to the bit). Likewise a
--    person's only row with its element is their whole part of every cell of a set by
--    element, and so for services: in those sets (ingest/cells.py picks the flag) nearly
--    every row skips the grouping, which was about a third of its rows at 1M agreements.
--    A set's attributes are never NULL in its rows, so the pattern of NULLs tells the sets
--    apart.
-- 3. After the chunk's last part (the WHERE on the variables; with one part, at once): the
--    parts merged and the cells named. The parts hold different people, so counts and sums
--    add, key sums add mod 256, and the two largest people of a cell are the largest of the
--    parts' largest and the larger of the second-largest part's largest and every part's
--    second (greatest ignores NULLs: a part with one person has no second).
-- 4. cell_parts emptied for the next chunk.
-- Counts and key sums are carried as INTEGER: DuckDB sums integers into HUGEINT, and summing
-- those again costs about twice the time in both groupings (issue #18, 1M agreements).
-- Measured at the demo size (docs/PERFORMANCE.md, issue #18): GROUPING SETS over the view with
-- the area and period as text did the same work with about 2.5x the CPU; grouping a person's
-- part is the cost that remains, and the single rows (45% of them) skip it.
CREATE OR REPLACE TEMP TABLE slice_rows AS
WITH summed AS (
    SELECT
        a.area_id,
        a.member,
        a.person_idx,
        a.element_code,
        a.service_code,
        a.mia_theme,
        a.provision_type,
        a.age_band,
        a.client_group,
        a.gender,
        a.ethnic_group,
        any_value(a.person_key) AS person_key,
        CAST(count(*) AS INTEGER) AS active_n,
        CAST(sum(a.agreement_key) AS INTEGER) AS active_keys,
        CAST(count_if(a.started) AS INTEGER) AS started_n,
        CAST(sum(CASE WHEN a.started THEN a.agreement_key ELSE 0 END) AS INTEGER) AS started_keys,
        sum(a.cost) AS cost,
        bool_or(a.over_6w) AS over_6w,
        sum(a.cost_beyond_42) AS cost_beyond_42
    FROM agreement_areas AS a
    WHERE a.level = getvariable('cell_level') AND a.period_kind = getvariable('cell_period_kind')
        AND a.member BETWEEN getvariable('cell_member_first') AND getvariable('cell_member_last')
        AND a.person_idx % getvariable('cell_parts') = getvariable('cell_part')
    GROUP BY ALL
)
SELECT
    *,
    lag(true) OVER person_rows IS NULL AND lead(true) OVER person_rows IS NULL AS single,
    coalesce(lag(service_code) OVER person_rows <> service_code, true)
        AND coalesce(lead(service_code) OVER person_rows <> service_code, true) AS single_service,
    coalesce(lag(element_code) OVER person_rows <> element_code, true)
        AND coalesce(lead(element_code) OVER person_rows <> element_code, true) AS single_element
FROM summed
WINDOW person_rows AS (PARTITION BY area_id, member, person_idx ORDER BY service_code, element_code);

INSERT INTO cell_parts
WITH set_rows AS NOT MATERIALIZED (
    ${set_rows}
),
person_cells AS (
    SELECT
        area_id,
        member,
        element_code,
        service_code,
        mia_theme,
        provision_type,
        age_band,
        client_group,
        gender,
        ethnic_group,
        person_idx,
        any_value(person_key) AS person_key,
        CAST(sum(active_n) AS INTEGER) AS active_n,
        CAST(sum(active_keys) AS INTEGER) AS active_keys,
        CAST(sum(started_n) AS INTEGER) AS started_n,
        CAST(sum(started_keys) AS INTEGER) AS started_keys,
        sum(cost) AS cost,
        bool_or(over_6w) AS over_6w,
        sum(cost_beyond_42) AS cost_beyond_42
    FROM set_rows
    WHERE NOT single
    GROUP BY ALL
    UNION ALL
    SELECT
        area_id,
        member,
        element_code,
        service_code,
        mia_theme,
        provision_type,
        age_band,
        client_group,
        gender,
        ethnic_group,
        person_idx,
        person_key,
        active_n,
        active_keys,
        started_n,
        started_keys,
        cost,
        over_6w,
        cost_beyond_42
    FROM set_rows
    WHERE single
),
cells AS (
    SELECT
        area_id,
        member,
        element_code,
        service_code,
        mia_theme,
        provision_type,
        age_band,
        client_group,
        gender,
        ethnic_group,
        count(*) AS people_n,
        sum(person_key) % 256 AS people_ckey,
        sum(active_n) AS agreements_active_n,
        sum(active_keys) % 256 AS agreements_active_ckey,
        sum(started_n) AS agreements_started_n,
        sum(started_keys) % 256 AS agreements_started_ckey,
        count_if(over_6w) AS people_over_6w_n,
        sum(CASE WHEN over_6w THEN person_key ELSE 0 END) % 256 AS people_over_6w_ckey,
        sum(cost) AS cost_total,
        max(cost, 2) AS cost_top,
        sum(cost_beyond_42) AS cost_beyond_42_total,
        max(cost_beyond_42, 2) AS cost_beyond_42_top
    FROM person_cells
    GROUP BY ALL
)
SELECT
    area_id,
    member,
    element_code,
    service_code,
    mia_theme,
    provision_type,
    age_band,
    client_group,
    gender,
    ethnic_group,
    people_n,
    people_ckey,
    agreements_active_n,
    agreements_active_ckey,
    agreements_started_n,
    agreements_started_ckey,
    people_over_6w_n,
    people_over_6w_ckey,
    cost_total,
    cost_top[1],
    cost_top[2],
    cost_beyond_42_total,
    cost_beyond_42_top[1],
    cost_beyond_42_top[2]
FROM cells;

DROP TABLE slice_rows;

INSERT INTO workspace.cells_truth
WITH cells AS (
    SELECT
        area_id,
        member,
        element_code,
        service_code,
        mia_theme,
        provision_type,
        age_band,
        client_group,
        gender,
        ethnic_group,
        sum(people_n) AS people_n,
        sum(people_ckey) % 256 AS people_ckey,
        sum(agreements_active_n) AS agreements_active_n,
        sum(agreements_active_ckey) % 256 AS agreements_active_ckey,
        sum(agreements_started_n) AS agreements_started_n,
        sum(agreements_started_ckey) % 256 AS agreements_started_ckey,
        sum(people_over_6w_n) AS people_over_6w_n,
        sum(people_over_6w_ckey) % 256 AS people_over_6w_ckey,
        sum(cost_total) AS cost_total,
        max(cost_top1) AS cost_top1,
        greatest(max(cost_top1, 2)[2], max(cost_top2)) AS cost_top2,
        sum(cost_beyond_42_total) AS cost_beyond_42_total,
        max(cost_beyond_42_top1) AS cost_beyond_42_top1,
        greatest(max(cost_beyond_42_top1, 2)[2], max(cost_beyond_42_top2))
            AS cost_beyond_42_top2
    FROM cell_parts
    WHERE getvariable('cell_part') = getvariable('cell_parts') - 1
    GROUP BY ALL
)
SELECT
    getvariable('cell_level') AS level,
    g.area_code,
    getvariable('cell_period_kind') AS period_kind,
    m.period,
    CASE
        WHEN c.element_code IS NOT NULL THEN 'element:' || c.element_code
        WHEN c.service_code IS NOT NULL THEN 'service:' || c.service_code
        WHEN c.mia_theme IS NOT NULL AND c.provision_type IS NOT NULL
            THEN 'theme:' || c.mia_theme || ':' || c.provision_type
        WHEN c.mia_theme IS NOT NULL THEN 'theme:' || c.mia_theme
        WHEN c.provision_type IS NOT NULL THEN 'provision:' || c.provision_type
        ELSE 'all'
    END AS what,
    coalesce(CAST(c.age_band AS VARCHAR), 'all') AS age_band,
    coalesce(CAST(c.client_group AS VARCHAR), 'all') AS client_group,
    coalesce(CAST(c.gender AS VARCHAR), 'all') AS gender,
    coalesce(CAST(c.ethnic_group AS VARCHAR), 'all') AS ethnic_group,
    c.* EXCLUDE (area_id, member, element_code, service_code, mia_theme, provision_type,
        age_band, client_group, gender, ethnic_group)
FROM cells AS c
JOIN cell_areas AS g ON g.level = getvariable('cell_level') AND g.area_id = c.area_id
JOIN period_members AS m
    ON m.period_kind = getvariable('cell_period_kind') AND m.position = c.member;

DELETE FROM cell_parts WHERE getvariable('cell_part') = getvariable('cell_parts') - 1;
