-- 093 area parts: postcode_lookup + ref_areas -> serving.area_parts.
-- Which areas of each finer level lie (at least partly) inside each ward and district: the
-- drill-down's rows (`within=`). Pure geography, from the placeable postcodes' own areas, so
-- it says nothing about where anybody is (a sector can straddle wards, so it may be listed
-- under more than one).
CREATE TABLE serving.area_parts AS
WITH placed AS (
    SELECT DISTINCT ward_code, district, sector, h3r7, h3r8
    FROM postcode_lookup
    WHERE placeable AND ward_code IS NOT NULL
),
parts AS (
    SELECT 'ward' AS container_level, ward_code AS container, 'sector' AS level, sector AS area_code
    FROM placed
    UNION SELECT 'ward', ward_code, 'h3r7', h3r7 FROM placed
    UNION SELECT 'ward', ward_code, 'h3r8', h3r8 FROM placed
    UNION SELECT 'district', district, 'sector', sector FROM placed
    UNION SELECT 'district', district, 'h3r7', h3r7 FROM placed
    UNION SELECT 'district', district, 'h3r8', h3r8 FROM placed
)
SELECT p.*
FROM parts AS p
JOIN ref_areas AS a ON a.level = p.level AND a.area_code = p.area_code
ORDER BY container_level, container, level, area_code;
