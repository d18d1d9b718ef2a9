-- Cell key perturbation (PRIVACY.md §2), the one definition every view uses: each view
-- aggregates its cells as memory.ckp_count(count(*) of distinct units, sum(their record keys)).
-- <ckey_mod> and <threshold> are numbers fixed when the database is opened (from the ptable),
-- never user input. memory.ptable_idx holds the ptable keyed by idx = pcv * <ckey_mod> + ckey,
-- sorted, so a lookup prunes to one row group.

-- Perturbation cell value: counts above 750 reuse the ptable rows 501..750.
CREATE OR REPLACE MACRO memory.ckp_pcv(n) AS
    CASE WHEN n <= 750 THEN n ELSE ((n - 1) % 250) + 501 END;

-- Published count of a cell with n distinct units whose record keys sum to keysum:
-- 0 for a true zero (no units, no key); NULL ([c]) when n + pvalue is under the threshold;
-- else n + pvalue, pvalue looked up at (pcv, keysum mod <ckey_mod>) (0 if the ptable has none).
CREATE OR REPLACE MACRO memory.ckp_count(n, keysum) AS
    CASE WHEN coalesce(n, 0) = 0 THEN 0
         ELSE nullif(coalesce(
             (SELECT CASE WHEN n + p.pvalue < {threshold} THEN -1 ELSE n + p.pvalue END
              FROM memory.ptable_idx p
              WHERE p.idx = memory.ckp_pcv(n) * {ckey_mod} + (keysum % {ckey_mod})::BIGINT),
             CASE WHEN n < {threshold} THEN -1 ELSE n END), -1)
    END;

-- Money (PRIVACY.md §3): only where the same cell's people count is published, 3 significant
-- figures. NULL when the people count is suppressed or no cost is known.
CREATE OR REPLACE MACRO memory.protect_money(amount, people_published) AS
    CASE WHEN people_published IS NULL OR amount IS NULL THEN NULL
         WHEN amount = 0 THEN 0.0
         ELSE round(amount, 2 - floor(log10(abs(amount)))::INTEGER)
    END;

-- A cell's published count after a LEFT JOIN: a cell with no units (no row) is a true zero.
CREATE OR REPLACE MACRO memory.cell_count(present, published) AS
    CASE WHEN present THEN published ELSE 0 END;
