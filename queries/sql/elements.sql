-- Per element over the selection: people, agreements active, cost; ranked by published
-- people (never by true counts), then code; the top $top_n returned.
WITH {common},
people AS (
    SELECT element_code, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT element_code, count(*) AS n, sum(person_key) AS keysum
        FROM (SELECT DISTINCT element_code, person_idx, person_key FROM base)
        GROUP BY element_code
    )
),
agreements AS (
    SELECT element_code, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT element_code, count(*) AS n, sum(agreement_key) AS keysum
        FROM (SELECT DISTINCT element_code, agreement_idx, agreement_key FROM base)
        GROUP BY element_code
    )
),
cost AS (SELECT element_code, sum(cost_in_period) AS cost FROM base GROUP BY element_code),
cells AS (
    SELECT p.element_code,
           memory.cell_count(p.present, p.published) AS people,
           memory.cell_count(a.present, a.published) AS agreements,
           memory.protect_money(k.cost, memory.cell_count(p.present, p.published)) AS cost,
           k.cost IS NOT NULL AS cost_known
    FROM people p
    JOIN agreements a USING (element_code)
    LEFT JOIN cost k USING (element_code)
)
SELECT c.element_code, e.element_description, e.provision_type, c.people, c.agreements,
       c.cost, c.cost_known
FROM cells c JOIN elements e USING (element_code)
ORDER BY c.people DESC NULLS LAST, c.element_code
LIMIT $top_n
