-- Cell key perturbation (PRIVACY.md §2), the one definition every view uses.
-- <ckey_mod> and <threshold> are numbers fixed when the database is opened
-- (from the ptable), never user input. memory.ptable_dense holds one row: the ptable's pvalues
-- as a list indexed by pcv * <ckey_mod> + ckey + 1, so a lookup is one list access, not a join.

-- Perturbation cell value: counts above 750 reuse the ptable rows 501..750.
CREATE OR REPLACE MACRO memory.ckp_pcv(n) AS
    CASE WHEN n <= 750 THEN n ELSE ((n - 1) % 250) + 501 END;

-- Perturbed value n + pvalue(pcv, keysum mod <ckey_mod>); a true zero has no key and stays 0.
CREATE OR REPLACE MACRO memory.ckp_value(n, keysum) AS
    CASE WHEN n = 0 THEN 0
         ELSE n + coalesce(
             (SELECT pv FROM memory.ptable_dense)[
                 memory.ckp_pcv(n) * {ckey_mod} + (keysum % {ckey_mod})::BIGINT + 1],
             0)
    END;

-- Published count: NULL ([c]) when the perturbed value is under the threshold; 0 stays 0.
CREATE OR REPLACE MACRO memory.ckp_count(n, keysum) AS
    CASE WHEN coalesce(n, 0) = 0 THEN 0
         WHEN memory.ckp_value(n, keysum) < {threshold} THEN NULL
         ELSE memory.ckp_value(n, keysum)
    END;

-- Money (PRIVACY.md §3): only where the same cell's people count is published, 3 significant
-- figures. NULL when the people count is suppressed or no cost is known.
CREATE OR REPLACE MACRO memory.protect_money(amount, people_published) AS
    CASE WHEN people_published IS NULL OR amount IS NULL THEN NULL
         WHEN amount = 0 THEN 0.0
         ELSE round(amount, 2 - floor(log10(abs(amount)))::INTEGER)
    END;
