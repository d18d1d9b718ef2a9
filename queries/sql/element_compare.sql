-- People using element A and element B in each area (two cells per area, each perturbed in
-- Python). pbase holds the rows with A or B (within the other element filters); pab repeats
-- each row once per element of the pair it holds ($a_mask, $b_mask: the element's bit, or 0
-- where the filters exclude it), with that element as the row's cell mask, so one pass counts
-- people as the elements filter would for each element alone (people_cells.sql).
WITH {common},
pab AS NOT MATERIALIZED (
    SELECT p.* REPLACE (x.mask AS cell_mask), x.element
    FROM pbase p
    JOIN (VALUES ('a', CAST($a_mask AS UBIGINT)), ('b', CAST($b_mask AS UBIGINT))) x(element, mask)
      ON (p.element_mask & x.mask) <> 0
),
{ab_people}
-- Only areas with people of A or B come out: queries/cells.py lays them on the grid.
SELECT area, period_dim,
       max(n) FILTER (WHERE element = 'a') AS a_n,
       max(keysum) FILTER (WHERE element = 'a') AS a_keysum,
       max(n) FILTER (WHERE element = 'b') AS b_n,
       max(keysum) FILTER (WHERE element = 'b') AS b_keysum
FROM ab_people
GROUP BY area, period_dim
