-- People per category of one dimension (<dimension_col>: age band, gender or ethnic group)
-- over the selection, and the selection's own total cell (perturbed on its own).
WITH {common},
by_category AS (
    SELECT category, count(*) AS n, sum(person_key) AS keysum
    FROM (SELECT DISTINCT {dimension_col} AS category, person_idx, person_key FROM base)
    GROUP BY category
),
total AS (
    SELECT count(*) AS n, sum(person_key) AS keysum
    FROM (SELECT DISTINCT person_idx, person_key FROM base)
)
SELECT c.category, memory.ckp_count(b.n, b.keysum) AS people,
       (SELECT memory.ckp_count(n, keysum) FROM total) AS total_people
FROM (SELECT unnest($categories) AS category, unnest($category_order) AS ord) c
LEFT JOIN by_category b USING (category)
ORDER BY c.ord
