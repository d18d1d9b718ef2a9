-- People (distinct persons: n, keysum) and cost in period per area x period cell. People come
-- from person_periods (the people CTE: exact distinct counts, people_cells.sql). <cells> adds
-- the cost: person_periods' pre-summed cost, summed in the same pass, when no element-attribute
-- filter applies; else a plain sum over the filtered facts, joined on. Only cells with people
-- come out (a cell with cost has people): queries/cells.py lays them on the grid of every cell.
WITH {common},
{people},
{cells}
SELECT area, period_dim, n, keysum, cost FROM cells
