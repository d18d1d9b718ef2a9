-- Areas at the chosen level (all of them, so a true zero shows as 0), with the population
-- of the chosen age bands.
SELECT a.area_code, a.area_name, p.population
FROM areas a
LEFT JOIN pop p ON p.level = a.level AND p.area_code = a.area_code
WHERE a.level = $level{area_conditions}
