-- Population by area for the chosen age bands only (rates are age-band specific).
SELECT level, area_code, sum(population) AS population
FROM area_population
WHERE age_band IN ({age_bands})
GROUP BY level, area_code
