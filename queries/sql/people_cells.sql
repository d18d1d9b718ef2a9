{name} AS (
    -- Distinct people per cell (<dims>) from <source>, perturbed, in one pass over the rows
    -- <keep> selects. Rows where <deduped> is false each stand for one person in their cell:
    -- they share one group per cell (unit NULL) and count as they are. Rows where <deduped>
    -- holds group per person (unit = person_idx; all rows of a group carry the same record key,
    -- so keys / rows is it), so each such person counts once per cell. The two sets never share
    -- a person of a cell (queries/sqlparts.py people_predicates): the sums are exact.
    SELECT {dims}, memory.ckp_count(n, keysum) AS published, true AS present
    FROM (
        SELECT {dims},
               sum(CASE WHEN unit IS NULL THEN rows ELSE 1 END) AS n,
               sum(CASE WHEN unit IS NULL THEN keys ELSE keys // rows END) AS keysum
        FROM (
            SELECT {dims}, CASE WHEN {deduped} THEN person_idx END AS unit,
                   count(*) AS rows, sum(person_key) AS keys
            FROM {source}
            WHERE {keep}
            GROUP BY ALL
        )
        GROUP BY {dims}
    )
)
