-- People using element A and element B in each area (two cells per area, each perturbed in
-- Python). pbase holds the rows with A or B (within the other element filters); pa and pb
-- narrow it to each element ($a_mask, $b_mask: its bit, or 0 where the filters exclude it),
-- and count people as the elements filter would for that element alone (people_cells.sql).
WITH {common},
pa AS NOT MATERIALIZED (
    SELECT * REPLACE (CAST($a_mask AS UBIGINT) AS cell_mask) FROM pbase
    WHERE (element_mask & CAST($a_mask AS UBIGINT)) <> 0
),
pb AS NOT MATERIALIZED (
    SELECT * REPLACE (CAST($b_mask AS UBIGINT) AS cell_mask) FROM pbase
    WHERE (element_mask & CAST($b_mask AS UBIGINT)) <> 0
),
{a_people},
{b_people}
-- Only areas with people of A or B come out: queries/cells.py lays them on the grid.
SELECT coalesce(a.area, b.area) AS area, coalesce(a.period_dim, b.period_dim) AS period_dim,
       a.n AS a_n, a.keysum AS a_keysum, b.n AS b_n, b.keysum AS b_keysum
FROM a_people a
FULL JOIN b_people b ON b.area = a.area AND b.period_dim = a.period_dim
