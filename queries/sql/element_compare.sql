-- People using element A and element B in each area (two cells per area, each perturbed in
-- Python). The view restricts pbase's mask to A and B (within the other element filters);
-- by_element splits the masks into elements (element_people.sql).
WITH {common},
{by_element}
SELECT l.area_code, l.area_name,
       a.n AS a_n, a.keysum AS a_keysum, b.n AS b_n, b.keysum AS b_keysum
FROM area_list l
LEFT JOIN by_element a ON a.area = l.area_code AND a.element_code = $element_a
LEFT JOIN by_element b ON b.area = l.area_code AND b.element_code = $element_b
