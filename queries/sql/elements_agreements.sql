-- Agreements active per element over the selection, each counted once, at its first period in
-- the range (n and keysum, perturbed in Python), and cost: one pass over facts.
WITH {common}
SELECT element_code,
       count(*) FILTER (WHERE {first_in_range}) AS agreements_n,
       sum(agreement_key) FILTER (WHERE {first_in_range}) AS agreements_keysum,
       sum(cost_in_period) AS cost
FROM base
GROUP BY element_code
