-- Per element over the selection: people, agreements active, cost; ranked by published
-- people (never by true counts), then code; the top $top_n returned. People: by_element
-- splits person_periods masks (within the element filters) into elements (element_people.sql).
-- Agreements: each counted once, at its first period in the range.
WITH {common},
{by_element},
facts_cells AS (
    -- Agreements (each once, at its first period in the range) and cost: one pass over facts.
    SELECT element_code, memory.ckp_count(n, keysum) AS agreements, cost
    FROM (
        SELECT element_code,
               count(*) FILTER (WHERE {first_in_range}) AS n,
               sum(agreement_key) FILTER (WHERE {first_in_range}) AS keysum,
               sum(cost_in_period) AS cost
        FROM base GROUP BY element_code
    )
),
cells AS (
    SELECT p.element_code,
           memory.cell_count(p.present, p.published) AS people,
           k.agreements,
           memory.protect_money(k.cost, memory.cell_count(p.present, p.published)) AS cost,
           k.cost IS NOT NULL AS cost_known
    FROM by_element p
    JOIN facts_cells k USING (element_code)
)
SELECT c.element_code, e.element_description, e.provision_type, c.people, c.agreements,
       c.cost, c.cost_known
FROM cells c JOIN elements e USING (element_code)
ORDER BY c.people DESC NULLS LAST, c.element_code
LIMIT $top_n
