-- 090 reference: catalogue, ref_* working tables (from care_atlas.reference, the boundaries
-- package) -> serving.elements, mia_targets, age_bands, areas, area_population. Copied as
-- they are, so the query layer validates requests against
-- the same reference the build used.
CREATE TABLE serving.elements AS
SELECT element_code, element_description, service_code, service_description, user_group,
       provision_type, mia_theme, origin
FROM catalogue
ORDER BY element_code;

CREATE TABLE serving.mia_targets AS SELECT * FROM ref_mia_targets;

CREATE TABLE serving.age_bands AS
SELECT age_band, lower_age, upper_age, ordinal FROM ref_age_bands ORDER BY ordinal;

CREATE TABLE serving.areas AS
SELECT level, area_code, area_name, parent_ward_code, district, population
FROM ref_areas
ORDER BY level, area_code;

CREATE TABLE serving.area_population AS
SELECT level, area_code, age_band, population
FROM ref_area_population
ORDER BY level, area_code, age_band;
