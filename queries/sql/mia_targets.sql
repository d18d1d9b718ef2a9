-- Table 14 (the council's 2016 budget, T:1772-1777): net spend 2015/16 and the savings target of
-- each financial year, in £ million, for every theme; read once with the other reference
-- tables when the served file is opened (queries/database.py), never per request.
-- Reference data copied into the serving file at build time (ingest/sql/090_reference.sql):
-- budget figures, not protected counts, so nothing here is perturbed. Themes run in number
-- order (MIA3, MIA5, MIA17), never as text sorts them.
SELECT theme, theme_name, scope, financial_year, net_spend_2015_16_m, saving_m
FROM mia_targets
ORDER BY TRY_CAST(regexp_extract(theme, '[0-9]+') AS INTEGER), theme, financial_year
