-- User-defined regions: population sums the member districts / wards.
SELECT r.region AS area_code, r.region AS area_name, sum(p.population) AS population
FROM (SELECT unnest($region_names) AS region, unnest($region_members) AS member,
             unnest($region_order) AS ord) r
LEFT JOIN pop p ON p.area_code = r.member AND p.level IN ('district', 'ward')
GROUP BY r.region, r.ord
