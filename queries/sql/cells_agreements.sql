-- Agreements (active, or started when <unit_filter> is `started`) per area x period cell,
-- with the cell's people: n and keysum of each, perturbed in Python. facts is unique per
-- (agreement, period) and an agreement's periods are consecutive from the one it started in,
-- so each agreement is counted once per cell without a DISTINCT: per period, every row; over
-- a range, the row of its first period inside the range (started there, or the range's
-- first). <cells> adds the agreements: person_periods' pre-summed agreements, summed in the
-- same pass, when no element-attribute filter applies; else counted over facts and joined on.
-- Only cells with people come out (a cell with agreements has people): queries/cells.py lays
-- them on the grid of every cell.
WITH {common},
{people},
{cells}
SELECT area, period_dim, agreements_n, agreements_keysum, n, keysum FROM cells
