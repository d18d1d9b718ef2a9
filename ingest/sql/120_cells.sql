-- 120 cells: workspace.cells_truth + ptable -> serving.cells, the only data the app serves.
-- Protection exactly as PRIVACY.md §3-§4, on each cell's TRUE values:
-- counts: 0..9 is suppressed (NULL, shown [c]); n >= 10 is n plus the ptable's noise at
--   (pcv(n), cell key) (cell key perturbation: the same people give the same key, so the same
--   cell always gets the same answer), and suppressed too where that takes it under the
--   threshold: the noise ptable does so for a share of the keys of 10..14 (the soft edge,
--   queries/catalogue.py SUPPRESSED_BAND_SHARES), so a [c] is not certainly at most 9. A true
--   zero is [c] too: with zeros published as 0, the pattern of which parts of a small total
--   are empty pinned 16.9% of the small cells at 20,000 agreements and 3.8% at 215,000
--   (audit/README.md);
-- money: only where the count of the people it is the cost of (the cell's people; for the
--   cost beyond 6 weeks, its people over 6 weeks) is published (so at least the threshold)
--   and the two largest people's costs are under the dominance share of the total; then the
--   total plus
--   noise keyed by those people's cell key, uniform on (-1, 1) x the largest single person's
--   cost (unbiased, and no difference of two cells pins one person's cost), rounded to
--   3 significant figures. Otherwise NULL ([c]).
-- A cell is written only where some count of it is published: a cell with no row is [c] in
-- every measure, so the file says no more than the dashboard (a row of NULLs would say "at
-- least one person").
-- pcv: ONS's ptable covers 1..750; larger counts reuse rows 501..750 by (n - 1) mod 250.
CREATE OR REPLACE MACRO pcv_of(n) AS
    CASE WHEN n <= 750 THEN n ELSE (n - 1) % 250 + 501 END;

CREATE OR REPLACE MACRO published_count(n, pvalue) AS
    CASE
        WHEN n < getvariable('count_threshold') THEN NULL
        WHEN n + coalesce(pvalue, 0) < getvariable('count_threshold') THEN NULL
        ELSE n + coalesce(pvalue, 0)
    END;

CREATE OR REPLACE MACRO three_figures(x) AS
    CASE WHEN x = 0 THEN 0.0 ELSE round(x, 2 - CAST(floor(log10(abs(x))) AS INTEGER)) END;

CREATE OR REPLACE MACRO published_money(total, top1, top2, people, ckey) AS
    CASE
        WHEN total IS NULL OR people IS NULL THEN NULL
        WHEN top1 + coalesce(top2, 0) >= getvariable('dominance_share') * total THEN NULL
        ELSE three_figures(total + ((ckey + 0.5) / 128.0 - 1.0) * top1)
    END;

CREATE TABLE serving.cells AS
WITH counted AS (
    SELECT
        t.*,
        CAST(published_count(t.people_n, p1.pvalue) AS INTEGER) AS people,
        CAST(published_count(t.agreements_active_n, p2.pvalue) AS INTEGER) AS agreements_active,
        CAST(published_count(t.agreements_started_n, p3.pvalue) AS INTEGER)
            AS agreements_started,
        CAST(published_count(t.people_over_6w_n, p4.pvalue) AS INTEGER) AS people_over_6w
    FROM workspace.cells_truth AS t
    LEFT JOIN ref_ptable AS p1 ON p1.pcv = pcv_of(t.people_n) AND p1.ckey = t.people_ckey
    LEFT JOIN ref_ptable AS p2
        ON p2.pcv = pcv_of(t.agreements_active_n) AND p2.ckey = t.agreements_active_ckey
    LEFT JOIN ref_ptable AS p3
        ON p3.pcv = pcv_of(t.agreements_started_n) AND p3.ckey = t.agreements_started_ckey
    LEFT JOIN ref_ptable AS p4
        ON p4.pcv = pcv_of(t.people_over_6w_n) AND p4.ckey = t.people_over_6w_ckey
    -- the largest count: a cell under the threshold in it publishes nothing
    WHERE t.agreements_active_n >= getvariable('count_threshold')
)
SELECT
    level,
    area_code,
    period_kind,
    period,
    what,
    age_band,
    client_group,
    gender,
    ethnic_group,
    people,
    agreements_active,
    agreements_started,
    people_over_6w,
    published_money(cost_total, cost_top1, cost_top2, people, people_ckey) AS cost,
    published_money(
        cost_beyond_42_total, cost_beyond_42_top1, cost_beyond_42_top2,
        people_over_6w, people_over_6w_ckey
    ) AS cost_beyond_42
FROM counted
WHERE coalesce(people, agreements_active, agreements_started, people_over_6w) IS NOT NULL
-- Sorted so that a view's lookup (queries/sql/cells.sql: one what and breakdown, across the
-- periods and areas it shows) is one run of rows: its zone maps skip the rest.
ORDER BY level, period_kind, what, age_band, client_group, gender, ethnic_group, period,
    area_code;
