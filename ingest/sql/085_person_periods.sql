-- 085 person periods: catalogue + serving.facts + serving.periods -> serving.element_bits,
-- serving.person_periods. Owned by the query layer (queries/): it lets people counts skip most
-- of the per-query DISTINCT over facts, exactly.
-- element_bits: each catalogue element's bit (0..63) in a UBIGINT mask, in element_code order.
-- person_periods: one row per period (of every kind), person and combination of the person's
-- grain columns (areas, age band, client group, gender, ethnic group) in that period, with
--   element_mask  a bit per element of the person's agreements in that group (every agreement
--                 has one element, so an element-attribute filter is element_mask & M <> 0);
--   single_row    the person has exactly this one row in the period;
--   one_combo     the person has one combination of grain columns in every period of the
--                 kind (then all their rows fall in the same area / category cell);
--   stable_mask   elements the person has in every period of the kind in which they appear
--                 (0 unless one_combo);
--   union_mask    elements the person has in any period of the kind;
--   period_ordinal  this period's ordinal;
--   direct_before a range query from ordinal F counts a one_combo person once, at their first
--                 row inside the range: the row with direct_before < F, where direct_before
--                 is the ordinal of the person's previous period of the kind with a row (0 if
--                 none); -1 for persons without one combo (always counted with a DISTINCT).
-- and pre-summed facts of the group, so a view without an element-attribute filter reads
-- agreements and cost here instead of scanning facts (each facts row is in exactly one group):
--   agreements / agreement_keys   facts rows (agreements active) and their record-key sum;
--   started / started_keys        the same for agreements started in the period;
--   cost                          sum of cost_in_period (NULL when no cost is known);
--   internal_cost, external_cost, direct_cost  the same per provision type.
-- Sorted by period_kind, period so a period filter prunes row groups.
CREATE TABLE serving.element_bits AS
SELECT
    element_code,
    CAST(row_number() OVER (ORDER BY element_code) - 1 AS UTINYINT) AS element_bit
FROM catalogue
ORDER BY element_code;

SELECT CASE WHEN count(*) > 64 THEN error('more than 64 elements: element_mask needs 64 bits')
       END
FROM serving.element_bits;

CREATE TABLE serving.person_periods AS
WITH grouped AS (
    SELECT
        f.period_kind, f.period, f.person_idx, f.person_key,
        f.sector, f.district, f.ward_code, f.h3r7, f.h3r8,
        f.age_band, f.client_group, f.gender, f.ethnic_group,
        bit_or(CAST(1 AS UBIGINT) << b.element_bit) AS element_mask,
        CAST(count(*) AS INTEGER) AS agreements,
        CAST(sum(f.agreement_key) AS INTEGER) AS agreement_keys,
        CAST(count(*) FILTER (WHERE f.started) AS INTEGER) AS started,
        CAST(coalesce(sum(f.agreement_key) FILTER (WHERE f.started), 0) AS INTEGER)
            AS started_keys,
        sum(f.cost_in_period) AS cost,
        sum(f.cost_in_period) FILTER (WHERE f.provision_type = 'Internal') AS internal_cost,
        sum(f.cost_in_period) FILTER (WHERE f.provision_type = 'External') AS external_cost,
        sum(f.cost_in_period) FILTER (WHERE f.provision_type = 'Direct payment') AS direct_cost
    FROM serving.facts AS f
    JOIN serving.element_bits AS b USING (element_code)
    GROUP BY ALL
),
per_person AS (
    SELECT
        period_kind, person_idx,
        count(DISTINCT struct_pack(sector, district, ward_code, h3r7, h3r8, age_band,
                                   client_group, gender, ethnic_group)) = 1 AS one_combo,
        bit_and(element_mask) AS all_periods_mask,
        bit_or(element_mask) AS any_period_mask
    FROM grouped
    GROUP BY ALL
)
SELECT
    g.period_kind,
    g.period,
    CAST(p.ordinal AS SMALLINT) AS period_ordinal,
    g.person_idx,
    g.person_key,
    g.sector, g.district, g.ward_code, g.h3r7, g.h3r8,
    g.age_band, g.client_group, g.gender, g.ethnic_group,
    g.element_mask,
    count(*) OVER (
        PARTITION BY g.period_kind, g.person_idx ORDER BY p.ordinal
        RANGE BETWEEN CURRENT ROW AND CURRENT ROW
    ) = 1 AS single_row,
    pp.one_combo,
    CASE WHEN pp.one_combo THEN pp.all_periods_mask ELSE CAST(0 AS UBIGINT) END AS stable_mask,
    pp.any_period_mask AS union_mask,
    CAST(CASE WHEN pp.one_combo THEN coalesce(max(p.ordinal) OVER (
        PARTITION BY g.period_kind, g.person_idx ORDER BY p.ordinal
        RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ), 0) ELSE -1 END AS SMALLINT) AS direct_before,
    g.agreements, g.agreement_keys, g.started, g.started_keys,
    g.cost, g.internal_cost, g.external_cost, g.direct_cost
FROM grouped AS g
JOIN per_person AS pp USING (period_kind, person_idx)
JOIN serving.periods AS p USING (period_kind, period)
ORDER BY g.period_kind, g.period;
