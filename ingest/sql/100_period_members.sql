-- 100 period members: periods + catalogue_presets + catalogue_range_kinds -> period_members
-- (working) and serving.period_members.
-- The period dimension of the publication catalogue (queries/catalogue.py): every single
-- period, plus the preset ranges of the kinds that have them (the whole series, the last 5,
-- the last 3), each at least two periods long and listed once (a preset that covers the same
-- periods as an earlier one is dropped). No other range is ever counted, so none can be asked
-- for. A range is written "first..last"; a single period is its own label.
CREATE OR REPLACE TABLE period_members AS
WITH bounds AS (
    SELECT period_kind, max(ordinal) AS last_ordinal
    FROM periods
    GROUP BY period_kind
),
presets AS (
    SELECT
        b.period_kind,
        c.preset,
        c.label,
        c.position,
        CASE WHEN c.latest IS NULL THEN 1 ELSE greatest(1, b.last_ordinal - c.latest + 1) END
            AS first_ordinal,
        b.last_ordinal
    FROM bounds AS b
    JOIN catalogue_range_kinds AS k USING (period_kind)
    CROSS JOIN catalogue_presets AS c
),
kept AS (
    SELECT *
    FROM presets
    WHERE last_ordinal > first_ordinal
    QUALIFY row_number() OVER (PARTITION BY period_kind, first_ordinal ORDER BY position) = 1
)
SELECT
    period_kind,
    period,
    period AS first_period,
    period AS last_period,
    ordinal AS first_ordinal,
    ordinal AS last_ordinal,
    false AS is_range,
    CAST(NULL AS VARCHAR) AS preset,
    period AS label,
    ordinal AS position
FROM periods
UNION ALL
SELECT
    k.period_kind,
    f.period || '..' || l.period,
    f.period,
    l.period,
    k.first_ordinal,
    k.last_ordinal,
    true,
    k.preset,
    k.label || ' (' || f.period || ' to ' || l.period || ')',
    1000 + k.position
FROM kept AS k
JOIN periods AS f ON f.period_kind = k.period_kind AND f.ordinal = k.first_ordinal
JOIN periods AS l ON l.period_kind = k.period_kind AND l.ordinal = k.last_ordinal;

CREATE TABLE serving.period_members AS
SELECT * FROM period_members ORDER BY period_kind, position;
