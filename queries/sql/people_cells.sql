{name}_units AS (
    -- Distinct people per cell (<dims>) from <source>, first level: one pass over the rows
    -- <keep> selects. Rows where <deduped> is false each stand for one person in their cell:
    -- they share one group per cell (unit NULL) and count as they are. Rows where <deduped>
    -- holds group per person (unit = person_idx; all rows of a group carry the same record
    -- key, so keys / rows is it). The two sets never share a person (queries/sqlparts.py
    -- people_predicates). <sums> are further pre-summed person_periods columns added up over
    -- every row of the cell (kept or not): then <keep> moves from WHERE into the people
    -- aggregates' FILTER.
    SELECT {dims}, CASE WHEN {deduped} THEN person_idx END AS unit,
           {rows} AS rows, {keys} AS keys{inner_sums}
    FROM {source}
    WHERE {where}
    GROUP BY ALL
),
{name} AS (
    -- n and the sum of the record keys of each cell's people (perturbed in Python,
    -- Database.perturb): each deduplicated person counts once per cell, so the sums are exact.
    SELECT {dims},
           sum(CASE WHEN unit IS NULL THEN rows ELSE 1 END) AS n,
           sum(CASE WHEN unit IS NULL THEN keys ELSE keys // rows END) AS keysum{outer_sums}
    FROM {name}_units
    GROUP BY {dims}
)
