-- 086 element spans: serving.person_periods + serving.element_bits -> serving.element_spans.
-- Owned by the query layer (queries/): the elements view's people per element over any range
-- of periods, for the whole city with no filter but the range (the elements view's most
-- common request, and its largest: over a range, everyone whose elements change has to be
-- deduplicated person by person). A person with an element in a range counts once, at their
-- first period with it there. So each period's people with the element are stored with the
-- period they last had it before (previous_ordinal, -1 for none): a range [a, b] counts the
-- rows of periods a..b whose previous_ordinal is before a (queries/sql/element_spans.sql).
--   n, k  distinct people and their record-key sum (perturbed at query time like any count)
CREATE TABLE serving.element_spans AS
WITH person_masks AS (
    -- One row per person and period: their one row there, or the OR of their rows' elements.
    SELECT period_kind, person_idx, period_ordinal, person_key, element_mask AS mask
    FROM serving.person_periods
    WHERE single_row
    UNION ALL
    SELECT period_kind, person_idx, period_ordinal, any_value(person_key), bit_or(element_mask)
    FROM serving.person_periods
    WHERE NOT single_row
    GROUP BY period_kind, person_idx, period_ordinal
),
split AS (
    -- Each mask that occurs, split into its elements' bits (a few thousand masks, not every
    -- row; bits, not codes, keep the rows the window sorts narrow).
    SELECT m.mask, b.element_bit
    FROM (SELECT DISTINCT mask FROM person_masks) AS m
    JOIN serving.element_bits AS b ON (m.mask >> b.element_bit) & 1 = 1
),
person_elements AS (
    SELECT p.period_kind, p.person_idx, p.period_ordinal, p.person_key, s.element_bit,
           coalesce(lag(p.period_ordinal) OVER (
               PARTITION BY p.period_kind, p.person_idx, s.element_bit
               ORDER BY p.period_ordinal), -1) AS previous_ordinal
    FROM person_masks AS p
    JOIN split AS s USING (mask)
),
counted AS (
    SELECT period_kind, element_bit, period_ordinal, previous_ordinal,
           count(*) AS n, sum(person_key) AS k
    FROM person_elements
    GROUP BY ALL
)
SELECT c.period_kind, b.element_code,
       CAST(c.period_ordinal AS SMALLINT) AS period_ordinal,
       CAST(c.previous_ordinal AS SMALLINT) AS previous_ordinal,
       CAST(c.n AS INTEGER) AS n, CAST(c.k AS BIGINT) AS k
FROM counted AS c
JOIN serving.element_bits AS b USING (element_bit)
ORDER BY c.period_kind, c.period_ordinal, b.element_code;
