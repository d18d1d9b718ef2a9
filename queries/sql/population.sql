-- Population by area, all ages.
SELECT level, area_code, population FROM areas
