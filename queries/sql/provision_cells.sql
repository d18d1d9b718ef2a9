-- The area cells of a state with no filter but the period range, the level's areas, at most
-- one provision type and at most one age band, each cell one period, read from
-- serving.provision_cells
-- (ingest/sql/087_provision_cells.sql, counted there as cells_provision.sql counts them per
-- period): people in all and by provision type (n / keysum, perturbed in Python), agreements
-- active and started, costs; a few hundred rows read instead of every person-period row of
-- the city. provision_spans.sql gives the same columns over a range.
-- <people>, <costs>, <agreements>: the columns as they are, or for one provision type its
-- people as the cell's people and the other types' columns NULL (queries/sqlparts.py
-- area_cells_query); <present>: `true`, or that type's people > 0 (a cell without them has
-- no row, as when counting person_periods). <areas>: the chosen areas
-- (`area IN ($areas_0, ...)`) or nothing; <city>: the whole city's cell as well (area 'city'),
-- or nothing; <age_band>: `age_band IS NULL` (every band) or `age_band = $age_band`.
SELECT area, {period_dim} AS period_dim, {people}, {costs}, {agreements}
FROM provision_cells
WHERE period_kind = $period_kind
  AND period BETWEEN $period_from AND $period_to
  AND ((level = $level{areas}){city})
  AND {age_band}
  AND {present}
