-- 005 category types: catalogue, vocabularies, age bands, postcode_lookup -> ENUM types.
-- Every category column of loaded, spans and workspace.facts holds one of a few known values;
-- as an ENUM it is stored, copied, grouped and joined as a small integer instead of a string,
-- which is most of the cost of writing facts (about 9 rows per agreement) and of grouping them
-- into person_periods. Values are declared in text order, so ORDER BY and min/max give what
-- they would on the text; comparisons with text (query parameters) work unchanged.
-- period_kind and period stay text: a period filter must prune facts' row groups.
CREATE TYPE element_code_t AS ENUM (
    SELECT DISTINCT element_code FROM catalogue WHERE element_code IS NOT NULL ORDER BY 1
);
CREATE TYPE service_code_t AS ENUM (
    SELECT DISTINCT service_code FROM catalogue WHERE service_code IS NOT NULL ORDER BY 1
);
CREATE TYPE provision_type_t AS ENUM (
    SELECT DISTINCT provision_type FROM catalogue WHERE provision_type IS NOT NULL ORDER BY 1
);
CREATE TYPE mia_theme_t AS ENUM (
    SELECT DISTINCT mia_theme FROM catalogue WHERE mia_theme IS NOT NULL ORDER BY 1
);
CREATE TYPE user_group_t AS ENUM (
    SELECT DISTINCT user_group FROM catalogue WHERE user_group IS NOT NULL ORDER BY 1
);
CREATE TYPE client_group_t AS ENUM (
    SELECT client_group FROM vocab_client_group UNION SELECT 'Not known' ORDER BY 1
);
CREATE TYPE age_band_t AS ENUM (SELECT DISTINCT age_band FROM ref_age_bands ORDER BY 1);
CREATE TYPE gender_t AS ENUM (SELECT gender FROM vocab_gender UNION SELECT 'Not known' ORDER BY 1);
CREATE TYPE ethnicity_t AS ENUM (
    SELECT ethnicity FROM vocab_ethnicity UNION SELECT 'Not known' ORDER BY 1
);
CREATE TYPE ethnic_group_t AS ENUM (
    SELECT ethnic_group FROM vocab_ethnicity UNION SELECT 'Not known' ORDER BY 1
);
CREATE TYPE sector_t AS ENUM (
    SELECT DISTINCT sector FROM postcode_lookup WHERE sector IS NOT NULL ORDER BY 1
);
CREATE TYPE district_t AS ENUM (
    SELECT DISTINCT district FROM postcode_lookup WHERE district IS NOT NULL ORDER BY 1
);
CREATE TYPE ward_code_t AS ENUM (
    SELECT DISTINCT ward_code FROM postcode_lookup WHERE ward_code IS NOT NULL ORDER BY 1
);
CREATE TYPE h3r7_t AS ENUM (
    SELECT DISTINCT h3r7 FROM postcode_lookup WHERE h3r7 IS NOT NULL ORDER BY 1
);
CREATE TYPE h3r8_t AS ENUM (
    SELECT DISTINCT h3r8 FROM postcode_lookup WHERE h3r8 IS NOT NULL ORDER BY 1
);
