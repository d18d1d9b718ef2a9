-- 080 facts: spans + periods + build_dates -> workspace.facts.
-- One row per agreement and period (of every kind) in which it is active, with the measures of
-- DOMAIN.md §4. Days are inclusive: an agreement active from its start to its last day (end,
-- or the data date while open). cost_in_period = weekly_cost x days_active / 7 (DHSC CLD).
-- committed_at_end: the weekly cost if active on the period's last day (the data date for the
-- period holding it). MIA17 enablement: over_6_weeks when the agreement lasts more than 42
-- days; days_beyond_42 counts this period's days from the 43rd day on. Sorted by
-- period_kind, period so a period filter prunes row groups: cheap, as the category columns are
-- ENUMs (005), so the sort moves small integers, not strings. (One insert per period in
-- order, which needs no sort, measured slower: each insert rewrites a partial row group.)
CREATE TABLE workspace.facts AS
SELECT
    p.period_kind,
    p.period,
    s.agreement_idx,
    CAST(s.agreement_key AS UTINYINT) AS agreement_key,
    s.person_idx,
    CAST(s.person_key AS UTINYINT) AS person_key,
    s.element_code,
    s.service_code,
    s.provision_type,
    s.mia_theme,
    s.user_group,
    s.client_group,
    s.age_band,
    s.gender,
    s.ethnicity,
    s.ethnic_group,
    s.sector,
    s.district,
    s.ward_code,
    s.h3r7,
    s.h3r8,
    s.start_date BETWEEN p.start_date AND p.end_date AS started,
    CAST(least(s.last_day, p.end_date) - greatest(s.start_date, p.start_date) + 1 AS INTEGER)
        AS days_active,
    s.weekly_cost,
    s.weekly_cost * days_active / 7.0 AS cost_in_period,
    CASE
        WHEN s.start_date <= least(p.end_date, d.data_date)
            AND s.last_day >= least(p.end_date, d.data_date)
            THEN coalesce(s.weekly_cost, 0)
        ELSE 0
    END AS committed_at_end,
    s.is_mia17 AND s.last_day - s.start_date + 1 > 42 AS over_6_weeks,
    CASE
        WHEN s.is_mia17 THEN CAST(greatest(
            0, least(s.last_day, p.end_date) - greatest(s.start_date + 42, p.start_date) + 1
        ) AS INTEGER)
        ELSE 0
    END AS days_beyond_42,
    s.weekly_cost * days_beyond_42 / 7.0 AS cost_beyond_42
FROM spans AS s
JOIN periods AS p ON p.start_date <= s.last_day AND p.end_date >= s.start_date
CROSS JOIN build_dates AS d
ORDER BY p.period_kind, p.period;
