-- Distinct people per quarter using one element.
WITH {common},
people AS (
    SELECT period_dim, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT period_dim, count(*) AS n, sum(person_key) AS keysum
        FROM (SELECT DISTINCT period_dim, person_idx, person_key FROM base
              WHERE element_code = $element)
        GROUP BY period_dim
    )
)
SELECT s.period_dim AS period, memory.cell_count(p.present, p.published) AS people
FROM period_list s
LEFT JOIN people p USING (period_dim)
ORDER BY s.ordinal
