-- Distinct people per element over the selection (n and keysum, perturbed in Python, which
-- ranks by published people and keeps the top N): by_element splits person_periods masks
-- (within the element filters) into elements (element_people.sql). Run beside
-- elements_agreements.sql, each query planning and scanning on its own core.
WITH {common},
{by_element}
SELECT element_code, n, keysum
FROM by_element
