-- The provision cells of a state with no filter but the period range and the level's areas,
-- read as they are from serving.provision_cells (ingest/sql/087_provision_cells.sql, counted
-- there as cells_provision.sql counts them per period): the same n / keysum, perturbed in
-- Python, for a few hundred rows read instead of every person-period row of the city.
-- <areas>: the chosen areas (`area IN ($areas_0, ...)`) or nothing; <city>: the whole city's
-- cell as well (area 'city'), or nothing; <costs>: the cost columns, or NULLs.
SELECT area, {period_dim} AS period_dim, n_all, k_all, n_i, k_i, n_e, k_e, n_d, k_d, {costs}
FROM provision_cells
WHERE period_kind = $period_kind
  AND period BETWEEN $period_from AND $period_to
  AND ((level = $level{areas}){city})
