-- People per category of one dimension (<dimension_col>: age band, gender or ethnic group)
-- over the selection, and the selection's own total cell (a cell of its own, perturbed on its
-- own, in Python), counted from the same first level of by_category (people_total.sql). The
-- dimensions are person_periods grain columns, so by_category and total are exact.
WITH {common},
categorised AS (SELECT *, {dimension_col} AS category FROM pbase),
{by_category},
{total}
SELECT c.category, b.n, b.keysum,
       (SELECT n FROM total) AS total_n, (SELECT keysum FROM total) AS total_keysum
FROM (SELECT unnest($categories) AS category, unnest($category_order) AS ord) c
LEFT JOIN by_category b USING (category)
ORDER BY c.ord
