-- Agreements and distinct people per element, most agreements first.
SELECT element_code, provision_type, count(*) AS agreements,
    count(DISTINCT person_id) AS people, count(*) / sum(count(*)) OVER () AS share
FROM loaded GROUP BY 1, 2 ORDER BY agreements DESC, element_code;
