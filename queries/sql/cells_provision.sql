-- People and cost per area x period cell and provision type (Internal / External / Direct
-- payment), and the cell's people over all types; every count perturbed as its own cell.
-- A row counts for a type when its element mask (within the element filters) meets the
-- type's elements. Rows where <deduped> is false each stand for one person in their cell and
-- count as they are; the other persons are first reduced to one row per cell (their masks
-- OR-ed). <keep> / <deduped> come from queries/sqlparts.py provision_predicates: every type's
-- count is exact on the same partition of persons.
WITH {common},
type_masks AS (
    SELECT
        bit_or(CASE WHEN e.provision_type = 'Internal' THEN bit ELSE 0 END) AS internal,
        bit_or(CASE WHEN e.provision_type = 'External' THEN bit ELSE 0 END) AS external,
        bit_or(CASE WHEN e.provision_type = 'Direct payment' THEN bit ELSE 0 END) AS direct
    FROM elements e
    JOIN (SELECT element_code, CAST(1 AS UBIGINT) << element_bit AS bit FROM element_bits) b
        USING (element_code)
),
direct AS (
    -- Rows standing for one person of their cell each: counted per type as they are.
    SELECT p.area, p.period_dim,
           count(*) AS n_all, sum(p.person_key) AS k_all,
           count(*) FILTER (WHERE (p.element_mask & p.cell_mask & t.internal) <> 0) AS n_i,
           sum(p.person_key) FILTER (WHERE (p.element_mask & p.cell_mask & t.internal) <> 0)
               AS k_i,
           count(*) FILTER (WHERE (p.element_mask & p.cell_mask & t.external) <> 0) AS n_e,
           sum(p.person_key) FILTER (WHERE (p.element_mask & p.cell_mask & t.external) <> 0)
               AS k_e,
           count(*) FILTER (WHERE (p.element_mask & p.cell_mask & t.direct) <> 0) AS n_d,
           sum(p.person_key) FILTER (WHERE (p.element_mask & p.cell_mask & t.direct) <> 0)
               AS k_d
    FROM pbase p CROSS JOIN type_masks t
    WHERE {keep} AND NOT {deduped}
    GROUP BY p.area, p.period_dim
),
persons AS (
    -- The other persons, one row per cell: their elements in the cell over all their rows.
    SELECT p.area, p.period_dim, p.person_idx, min(p.person_key) AS person_key,
           bit_or(p.element_mask & p.cell_mask) AS m
    FROM pbase p CROSS JOIN type_masks t
    WHERE {deduped}
    GROUP BY p.area, p.period_dim, p.person_idx
),
deduplicated AS (
    SELECT p.area, p.period_dim,
           count(*) AS n_all, sum(p.person_key) AS k_all,
           count(*) FILTER (WHERE (p.m & t.internal) <> 0) AS n_i,
           sum(p.person_key) FILTER (WHERE (p.m & t.internal) <> 0) AS k_i,
           count(*) FILTER (WHERE (p.m & t.external) <> 0) AS n_e,
           sum(p.person_key) FILTER (WHERE (p.m & t.external) <> 0) AS k_e,
           count(*) FILTER (WHERE (p.m & t.direct) <> 0) AS n_d,
           sum(p.person_key) FILTER (WHERE (p.m & t.direct) <> 0) AS k_d
    FROM persons p CROSS JOIN type_masks t
    GROUP BY p.area, p.period_dim
),
counts AS (
    SELECT area, period_dim,
           sum(n_all) AS n_all, sum(k_all) AS k_all, sum(n_i) AS n_i, sum(k_i) AS k_i,
           sum(n_e) AS n_e, sum(k_e) AS k_e, sum(n_d) AS n_d, sum(k_d) AS k_d
    FROM (SELECT * FROM direct UNION ALL SELECT * FROM deduplicated)
    GROUP BY area, period_dim
),
people AS (
    SELECT area, period_dim, true AS present,
           memory.ckp_count(n_all, k_all) AS people,
           memory.ckp_count(n_i, k_i) AS internal_people,
           memory.ckp_count(n_e, k_e) AS external_people,
           memory.ckp_count(n_d, k_d) AS direct_people
    FROM counts
),
cost AS (
    SELECT area, period_dim,
           sum(cost_in_period) FILTER (WHERE provision_type = 'Internal') AS internal_cost,
           sum(cost_in_period) FILTER (WHERE provision_type = 'External') AS external_cost,
           sum(cost_in_period) FILTER (WHERE provision_type = 'Direct payment') AS direct_cost
    FROM base GROUP BY area, period_dim
),
cells AS (
    SELECT l.area_code, l.area_name, l.population, s.period_dim
    FROM area_list l CROSS JOIN period_list s
),
published AS (
    SELECT c.area_code, c.area_name, c.population, c.period_dim AS period,
           memory.cell_count(p.present, p.people) AS people,
           memory.cell_count(p.present, p.internal_people) AS internal_people,
           memory.cell_count(p.present, p.external_people) AS external_people,
           memory.cell_count(p.present, p.direct_people) AS direct_people,
           k.internal_cost, k.external_cost, k.direct_cost
    FROM cells c
    LEFT JOIN people p ON p.area = c.area_code AND p.period_dim = c.period_dim
    LEFT JOIN cost k ON k.area = c.area_code AND k.period_dim = c.period_dim
)
SELECT area_code, area_name, population, period, people,
       internal_people, external_people, direct_people,
       memory.protect_money(internal_cost, internal_people) AS internal_cost,
       memory.protect_money(external_cost, external_people) AS external_cost,
       memory.protect_money(direct_cost, direct_people) AS direct_cost,
       internal_cost IS NOT NULL AS internal_known,
       external_cost IS NOT NULL AS external_known,
       direct_cost IS NOT NULL AS direct_known
FROM published
