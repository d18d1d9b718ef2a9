-- The area cells of a range of periods with no filter but the range, the level's areas and at
-- most one provision type: people from serving.provision_spans
-- (ingest/sql/089_provision_spans.sql), each person once per cell and type, at their first
-- period there in the range (the rows of the range's periods whose previous period there is
-- before it); agreements and cost added up over the range's periods of
-- serving.provision_cells (087): each agreement once, at its first period in the range
-- (active in the range's first period or started in a later one), and the cost of every
-- period. The same columns as provision_cells.sql, over a range, with the same placeholders
-- (but every age band: provision_spans has no age band).
WITH people AS (
    SELECT area,
           sum(n) FILTER (WHERE type = 0) AS n_all, sum(k) FILTER (WHERE type = 0) AS k_all,
           sum(n) FILTER (WHERE type = 1) AS n_i, sum(k) FILTER (WHERE type = 1) AS k_i,
           sum(n) FILTER (WHERE type = 2) AS n_e, sum(k) FILTER (WHERE type = 2) AS k_e,
           sum(n) FILTER (WHERE type = 3) AS n_d, sum(k) FILTER (WHERE type = 3) AS k_d
    FROM provision_spans
    WHERE period_kind = $period_kind
      AND period_ordinal BETWEEN $from_ordinal AND $to_ordinal
      AND previous_ordinal < $from_ordinal
      AND ((level = $level{areas}){city})
    GROUP BY area
),
sums AS (
    SELECT area,
           sum(internal_cost) AS internal_cost, sum(external_cost) AS external_cost,
           sum(direct_cost) AS direct_cost, sum(cost) AS cost,
           sum(CASE WHEN period = $period_from THEN agreements ELSE started END) AS agreements,
           sum(CASE WHEN period = $period_from THEN agreement_keys ELSE started_keys END)
               AS agreement_keys,
           sum(started) AS started, sum(started_keys) AS started_keys
    FROM provision_cells
    WHERE period_kind = $period_kind
      AND period BETWEEN $period_from AND $period_to
      AND ((level = $level{areas}){city})
      AND age_band IS NULL
    GROUP BY area
)
SELECT p.area, {period_dim} AS period_dim, {people}, {costs}, {agreements}
FROM people AS p
LEFT JOIN sums AS s ON s.area = p.area
WHERE {present}
