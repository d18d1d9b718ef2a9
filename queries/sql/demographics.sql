-- People per category of one dimension (<dimension_col>: age band, gender or ethnic group)
-- over the selection, and the selection's own total cell (perturbed on its own).
WITH {common},
by_category AS (
    SELECT category, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT category, count(*) AS n, sum(person_key) AS keysum
        FROM (SELECT DISTINCT {dimension_col} AS category, person_idx, person_key FROM base)
        GROUP BY category
    )
),
total AS (
    SELECT memory.ckp_count(n, keysum) AS published
    FROM (
        SELECT count(*) AS n, sum(person_key) AS keysum
        FROM (SELECT DISTINCT person_idx, person_key FROM base)
    )
)
SELECT c.category, memory.cell_count(b.present, b.published) AS people,
       (SELECT published FROM total) AS total_people
FROM (SELECT unnest($categories) AS category, unnest($category_order) AS ord) c
LEFT JOIN by_category b USING (category)
ORDER BY c.ord
