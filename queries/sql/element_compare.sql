-- People using element A and element B in each area (two cells per area, each perturbed).
-- The view restricts pbase's mask to A and B; each row is repeated once per element of the
-- two it holds, with that element's bit as the cell's mask.
WITH {common},
per_element AS (
    SELECT p.* EXCLUDE (cell_mask), b.element_code,
           CAST(1 AS UBIGINT) << b.element_bit AS cell_mask
    FROM pbase p
    JOIN element_bits b ON ((p.element_mask & p.cell_mask) >> b.element_bit) & 1 = 1
    WHERE b.element_code IN ($element_a, $element_b)
),
{by_element}
SELECT l.area_code, l.area_name,
       memory.cell_count(a.present, a.published) AS a_people,
       memory.cell_count(b.present, b.published) AS b_people
FROM area_list l
LEFT JOIN by_element a ON a.area = l.area_code AND a.element_code = $element_a
LEFT JOIN by_element b ON b.area = l.area_code AND b.element_code = $element_b
