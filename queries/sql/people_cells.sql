{name} AS (
    -- Distinct people per cell (<dims>) from <source>: n and the sum of their record keys
    -- (perturbed in Python, Database.perturb), in one pass over the rows <keep> selects. Rows
    -- where <deduped> is false each stand for one person in their cell: they share one group
    -- per cell (unit NULL) and count as they are. Rows where <deduped> holds group per person
    -- (unit = person_idx; all rows of a group carry the same record key, so keys / rows is
    -- it), so each such person counts once per cell. The two sets never share a person of a
    -- cell (queries/sqlparts.py people_predicates): the sums are exact. <sums> are further
    -- pre-summed person_periods columns added up over every row of the cell (kept or not):
    -- then <keep> moves from WHERE into the people aggregates' FILTER.
    SELECT {dims},
           sum(CASE WHEN unit IS NULL THEN rows ELSE 1 END) AS n,
           sum(CASE WHEN unit IS NULL THEN keys ELSE keys // rows END) AS keysum{outer_sums}
    FROM (
        SELECT {dims}, CASE WHEN {deduped} THEN person_idx END AS unit,
               {rows} AS rows, {keys} AS keys{inner_sums}
        FROM {source}
        WHERE {where}
        GROUP BY ALL
    )
    GROUP BY {dims}
)
