-- 088 element periods: serving.facts -> serving.element_periods.
-- Owned by the query layer (queries/): the elements view's agreements and cost per period and
-- element, for states with no filter but the period range (the most common facts scan, and
-- over a whole city the largest). Over a range an agreement counts once, at its first period
-- in it: it is active in the range's first period or starts in a later one (an agreement's
-- periods are contiguous), so a range's count is active_n of its first period plus started_n
-- of the others (queries/sql/element_periods.sql). n / keys are agreements and the sum of
-- their record keys, perturbed at query time like every count.
CREATE TABLE serving.element_periods AS
SELECT
    period_kind,
    period,
    element_code,
    count(*) AS active_n,
    sum(agreement_key) AS active_keys,
    count(*) FILTER (WHERE started) AS started_n,
    coalesce(sum(agreement_key) FILTER (WHERE started), 0) AS started_keys,
    sum(cost_in_period) AS cost
FROM serving.facts
GROUP BY period_kind, period, element_code
ORDER BY period_kind, period, element_code;
