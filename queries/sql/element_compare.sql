-- People using element A and element B in each area (two cells per area, each perturbed).
WITH {common},
people AS (
    SELECT area, element_code, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT area, element_code, count(*) AS n, sum(person_key) AS keysum
        FROM (SELECT DISTINCT area, element_code, person_idx, person_key FROM base
              WHERE element_code IN ($element_a, $element_b))
        GROUP BY area, element_code
    )
)
SELECT l.area_code, l.area_name,
       memory.cell_count(a.present, a.published) AS a_people,
       memory.cell_count(b.present, b.published) AS b_people
FROM area_list l
LEFT JOIN people a ON a.area = l.area_code AND a.element_code = $element_a
LEFT JOIN people b ON b.area = l.area_code AND b.element_code = $element_b
