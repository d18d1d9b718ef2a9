{name} AS (
    -- Distinct people over every cell of <units> (people_cells.sql's first level) together:
    -- a row that counts as it is (unit NULL) is a person with no other counted row in the
    -- selection (queries/sqlparts.py people_predicates), and a deduplicated person counts
    -- once however many cells they are in. n and the sum of their record keys.
    SELECT sum(n) AS n, sum(keysum) AS keysum
    FROM (
        SELECT sum(rows) AS n, sum(keys) AS keysum FROM {units} WHERE unit IS NULL
        UNION ALL
        SELECT count(*), sum(person_key)
        FROM (SELECT DISTINCT unit, keys // rows AS person_key FROM {units}
              WHERE unit IS NOT NULL)
    )
)
