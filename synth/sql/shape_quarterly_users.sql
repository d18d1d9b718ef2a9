-- Distinct people with an active agreement of one element per quarter, 2010-2015.
WITH quarters AS (
    SELECT y, q, make_date(y, 3 * q - 2, 1) AS q_start,
        make_date(y, 3 * q - 2, 1) + INTERVAL 3 MONTH - INTERVAL 1 DAY AS q_end
    FROM range(2010, 2016) AS t(y), range(1, 5) AS u(q)
)
SELECT y || '-Q' || q AS quarter, count(DISTINCT person_id) AS people
FROM loaded JOIN quarters ON start_date <= q_end AND last_day >= q_start
WHERE element_code = $element
GROUP BY y, q ORDER BY y, q;
