-- 105 agreement members: facts + periods + period_members -> agreement_members (working).
-- One row per agreement and period member (single period or preset range) in which it is
-- active, with everything a cell needs: the member's position (step 115 reads a run of
-- members by it and names the period only once the cells are counted), the person and both
-- record keys, the agreement's attributes (fixed for an agreement: element, area, age band at
-- start, client group, gender, ethnic group), whether it started in the member, its cost in
-- the member and, for MIA17 enablement, whether it lasts beyond 6 weeks and the cost of its
-- days beyond the 42nd.
-- A single period's row is the agreement's fact row for it as it is (facts hold one row per
-- agreement and period). A range's row sums the agreement's facts in the range's periods, so
-- a range counts each agreement and each person once. Grouping every member (single ones
-- too, each a group of one row) did the same with about 3x the CPU at 1M agreements
-- (docs/PERFORMANCE.md). Sorted by period kind and position: step 115 reads a run of members
-- of one kind per level, and the sort lets DuckDB skip the other row groups.
CREATE OR REPLACE TABLE agreement_members AS
WITH single_members AS (
    SELECT
        f.period_kind,
        m.position AS member,
        f.agreement_idx,
        f.agreement_key,
        f.person_idx,
        f.person_key,
        f.element_code,
        f.service_code,
        f.provision_type,
        f.mia_theme,
        f.age_band,
        f.client_group,
        f.gender,
        f.ethnic_group,
        f.sector,
        f.district,
        f.ward_code,
        f.h3r7,
        f.h3r8,
        f.started,
        f.cost_in_period AS cost,
        f.over_6_weeks AS over_6w,
        f.cost_beyond_42
    FROM workspace.facts AS f
    JOIN period_members AS m
        ON NOT m.is_range AND m.period_kind = f.period_kind AND m.period = f.period
),
range_members AS (
    SELECT
        m.period_kind,
        m.position AS member,
        f.agreement_idx,
        any_value(f.agreement_key) AS agreement_key,
        any_value(f.person_idx) AS person_idx,
        any_value(f.person_key) AS person_key,
        any_value(f.element_code) AS element_code,
        any_value(f.service_code) AS service_code,
        any_value(f.provision_type) AS provision_type,
        any_value(f.mia_theme) AS mia_theme,
        any_value(f.age_band) AS age_band,
        any_value(f.client_group) AS client_group,
        any_value(f.gender) AS gender,
        any_value(f.ethnic_group) AS ethnic_group,
        any_value(f.sector) AS sector,
        any_value(f.district) AS district,
        any_value(f.ward_code) AS ward_code,
        any_value(f.h3r7) AS h3r7,
        any_value(f.h3r8) AS h3r8,
        bool_or(f.started) AS started,
        sum(f.cost_in_period) AS cost,
        bool_or(f.over_6_weeks) AS over_6w,
        sum(f.cost_beyond_42) AS cost_beyond_42
    FROM workspace.facts AS f
    JOIN periods AS p ON p.period_kind = f.period_kind AND p.period = f.period
    JOIN period_members AS m
        ON m.is_range AND m.period_kind = f.period_kind
        AND p.ordinal BETWEEN m.first_ordinal AND m.last_ordinal
    GROUP BY m.period_kind, m.position, f.agreement_idx
)
SELECT * FROM single_members
UNION ALL
SELECT * FROM range_members
ORDER BY period_kind, member;
