-- People using element A and element B in each area (two cells per area, each perturbed).
WITH {common},
people AS (
    SELECT area, element_code, count(*) AS n, sum(person_key) AS keysum
    FROM (SELECT DISTINCT area, element_code, person_idx, person_key FROM base
          WHERE element_code IN ($element_a, $element_b))
    GROUP BY area, element_code
)
SELECT l.area_code, l.area_name,
       memory.ckp_count(a.n, a.keysum) AS a_people,
       memory.ckp_count(b.n, b.keysum) AS b_people
FROM area_list l
LEFT JOIN people a ON a.area = l.area_code AND a.element_code = $element_a
LEFT JOIN people b ON b.area = l.area_code AND b.element_code = $element_b
