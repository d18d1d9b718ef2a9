-- People and cost per area x period cell and provision type (Internal / External / Direct
-- payment), and the cell's people over all types: n and keysum of every count (each its own
-- cell, perturbed in Python). A row counts for a type when its element mask (within the
-- element filters) meets the type's elements ($internal_mask, $external_mask, $direct_mask: the
-- element bits of each type, from the catalogue): `types` codes them as bits (1 internal,
-- 2 external, 4 direct). Rows where <deduped> is false each stand for one person in their cell
-- and are grouped per cell and types; the other persons are grouped per person, their types
-- OR-ed over their rows. <keep> / <deduped> come from queries/sqlparts.py
-- provision_predicates: every type's count is exact on the same partition of persons.
-- <cost_sums> / <cost_totals> / <cells>: costs per type from person_periods' pre-summed
-- columns in the same pass (no element-attribute filter), or summed over facts and joined on,
-- or none (a caller that shows only the internal share). <city_types> may add the whole city's
-- cell, counted from the same first level (provision_city_types.sql).
WITH {common},
typed_rows AS (
    SELECT p.*,
           CAST((CASE WHEN (p.element_mask & p.cell_mask & {internal}) <> 0 THEN 1 ELSE 0 END)
              | (CASE WHEN (p.element_mask & p.cell_mask & {external}) <> 0 THEN 2 ELSE 0 END)
              | (CASE WHEN (p.element_mask & p.cell_mask & {direct}) <> 0 THEN 4 ELSE 0 END)
                AS UTINYINT) AS row_types,
           {deduped} AS deduped
    FROM pbase p
),
grouped AS (
    SELECT area, period_dim, CASE WHEN deduped THEN person_idx END AS unit,
           CASE WHEN deduped THEN 0 ELSE row_types END AS group_types,
           bit_or(row_types) AS types,
           count(*) FILTER (WHERE {keep}) AS rows,
           sum(person_key) FILTER (WHERE {keep}) AS keys{cost_sums}
    FROM typed_rows
    GROUP BY ALL
),
by_types AS (
    SELECT area, period_dim, types,
           sum(CASE WHEN unit IS NULL THEN rows ELSE 1 END) AS n,
           sum(CASE WHEN unit IS NULL THEN keys ELSE keys // rows END) AS keysum{cost_totals}
    FROM grouped
    GROUP BY area, period_dim, types{city_types}
),
counts AS (
    SELECT area, period_dim,
           sum(n) AS n_all, sum(keysum) AS k_all,
           sum(n) FILTER (WHERE (types & 1) <> 0) AS n_i,
           sum(keysum) FILTER (WHERE (types & 1) <> 0) AS k_i,
           sum(n) FILTER (WHERE (types & 2) <> 0) AS n_e,
           sum(keysum) FILTER (WHERE (types & 2) <> 0) AS k_e,
           sum(n) FILTER (WHERE (types & 4) <> 0) AS n_d,
           sum(keysum) FILTER (WHERE (types & 4) <> 0) AS k_d{cost_totals}
    FROM by_types
    GROUP BY area, period_dim
),
{cells}
-- Only cells with people come out: queries/cells.py lays them on the grid of every cell.
SELECT area, period_dim, n_all, k_all, n_i, k_i, n_e, k_e, n_d, k_d,
       internal_cost, external_cost, direct_cost
FROM cells
