-- Per element over the selection: people, agreements active (n and keysum of each, perturbed
-- in Python, which ranks by published people and keeps the top N) and cost. People: by_element
-- splits person_periods masks (within the element filters) into elements (element_people.sql).
-- Agreements: each counted once, at its first period in the range.
WITH {common},
{by_element},
facts_cells AS (
    -- Agreements (each once, at its first period in the range) and cost: one pass over facts.
    SELECT element_code,
           count(*) FILTER (WHERE {first_in_range}) AS n,
           sum(agreement_key) FILTER (WHERE {first_in_range}) AS keysum,
           sum(cost_in_period) AS cost
    FROM base GROUP BY element_code
)
SELECT p.element_code, e.element_description, e.provision_type, p.n, p.keysum,
       k.n AS agreements_n, k.keysum AS agreements_keysum, k.cost
FROM by_element p
JOIN facts_cells k USING (element_code)
JOIN elements e USING (element_code)
ORDER BY p.element_code
