-- OAEHSGCO and HSSU65PL agreements per postcode district (Table 9) and their ratio.
SELECT district,
    count(*) FILTER (element_code = 'OAEHSGCO') AS oaehsgco,
    count(*) FILTER (element_code = 'HSSU65PL') AS hssu65pl,
    oaehsgco / nullif(hssu65pl, 0) AS ratio
FROM loaded WHERE element_code IN ('OAEHSGCO', 'HSSU65PL')
GROUP BY 1 ORDER BY ratio DESC;
