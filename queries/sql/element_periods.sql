-- elements_agreements.sql's columns for a state with no filter but the period range, from
-- serving.element_periods (ingest/sql/088_element_periods.sql): each agreement once, at its
-- first period in the range (active in the first period, or started in a later one), and the
-- cost of every period; a few hundred rows read instead of every facts row of the range.
SELECT element_code,
       sum(CASE WHEN period = $period_from THEN active_n ELSE started_n END) AS agreements_n,
       sum(CASE WHEN period = $period_from THEN active_keys ELSE started_keys END)
           AS agreements_keysum,
       sum(cost) AS cost
FROM element_periods
WHERE period_kind = $period_kind
  AND period BETWEEN $period_from AND $period_to
GROUP BY element_code
