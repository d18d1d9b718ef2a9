-- elements_people.sql's columns for the whole city with no filter but the period range, from
-- serving.element_spans (ingest/sql/086_element_spans.sql): each person once per element, at
-- their first period with it in the range (the rows of the range's periods whose previous
-- period with the element is before it); a few hundred rows read instead of every
-- person-period row of the range, most of them deduplicated person by person.
SELECT element_code, sum(n) AS n, sum(k) AS keysum
FROM element_spans
WHERE period_kind = $period_kind
  AND period_ordinal BETWEEN $from_ordinal AND $to_ordinal
  AND previous_ordinal < $from_ordinal
GROUP BY element_code
