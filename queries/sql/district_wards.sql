-- Run once when the database is opened: every (district, ward) pair that occurs, so a region
-- (districts and wards mixed) maps each pair to each region holding it once, by an equi-join.
CREATE OR REPLACE TABLE memory.district_wards AS
SELECT DISTINCT district, ward_code FROM serving.person_periods;
