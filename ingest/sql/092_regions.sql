-- 092 regions: ref_region_sets + ref_region_members -> serving.region_sets,
-- serving.region_members. The council's region sets (boundaries/regions.py, checked before
-- any step runs): each region a union of whole districts or wards, at least 5,000 residents,
-- none overlapping within its set. Their rows in areas and area_population (level "region",
-- code "<set id>/<name>") were added to ref_areas before 090 copied it.
CREATE TABLE serving.region_sets AS SELECT * FROM ref_region_sets ORDER BY set_id;

CREATE TABLE serving.region_members AS
SELECT * FROM ref_region_members ORDER BY area_code, member_level, member_code;
