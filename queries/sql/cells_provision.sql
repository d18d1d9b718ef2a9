-- People and cost per area x period cell and provision type (Internal / External / Direct
-- payment), and the cell's people over all types; every count perturbed as its own cell.
-- One pass over pbase: a row counts for a type when its element mask (within the element
-- filters) meets the type's elements. Rows where <deduped> is false each stand for one person
-- in their cell (unit NULL); the others group per person, so each counts once per cell and
-- type. <keep> / <deduped> come from queries/sqlparts.py provision_predicates: every type's
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
grouped AS (
    SELECT p.area, p.period_dim, CASE WHEN {deduped} THEN p.person_idx END AS unit,
           count(*) AS rows_all, sum(p.person_key) AS keys_all,
           count(*) FILTER (WHERE (p.element_mask & p.cell_mask & t.internal) <> 0) AS rows_i,
           sum(p.person_key) FILTER (WHERE (p.element_mask & p.cell_mask & t.internal) <> 0)
               AS keys_i,
           count(*) FILTER (WHERE (p.element_mask & p.cell_mask & t.external) <> 0) AS rows_e,
           sum(p.person_key) FILTER (WHERE (p.element_mask & p.cell_mask & t.external) <> 0)
               AS keys_e,
           count(*) FILTER (WHERE (p.element_mask & p.cell_mask & t.direct) <> 0) AS rows_d,
           sum(p.person_key) FILTER (WHERE (p.element_mask & p.cell_mask & t.direct) <> 0)
               AS keys_d
    FROM pbase p CROSS JOIN type_masks t
    WHERE {keep}
    GROUP BY p.area, p.period_dim, unit
),
counts AS (
    -- A unit group is one person: 1 and their key when they have rows of the type.
    SELECT area, period_dim,
           sum(CASE WHEN unit IS NULL THEN rows_all ELSE 1 END) AS n_all,
           sum(CASE WHEN unit IS NULL THEN keys_all ELSE keys_all // rows_all END) AS k_all,
           sum(CASE WHEN unit IS NULL THEN rows_i ELSE least(rows_i, 1) END) AS n_i,
           sum(CASE WHEN rows_i = 0 THEN 0 WHEN unit IS NULL THEN keys_i
                    ELSE keys_i // rows_i END) AS k_i,
           sum(CASE WHEN unit IS NULL THEN rows_e ELSE least(rows_e, 1) END) AS n_e,
           sum(CASE WHEN rows_e = 0 THEN 0 WHEN unit IS NULL THEN keys_e
                    ELSE keys_e // rows_e END) AS k_e,
           sum(CASE WHEN unit IS NULL THEN rows_d ELSE least(rows_d, 1) END) AS n_d,
           sum(CASE WHEN rows_d = 0 THEN 0 WHEN unit IS NULL THEN keys_d
                    ELSE keys_d // rows_d END) AS k_d
    FROM grouped
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
