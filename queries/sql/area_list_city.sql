-- The whole city as one area: population is the sum over wards.
SELECT 'city' AS area_code, 'Whole city' AS area_name,
       (SELECT sum(population) FROM pop WHERE level = 'ward') AS population
