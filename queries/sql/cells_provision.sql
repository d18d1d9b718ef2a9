-- People and cost per area x period x provision type (Internal / External / Direct payment),
-- and the cell's people over all types; every count perturbed as its own cell. A person
-- counts in a type's cell when their element mask meets the type's elements (within the
-- element filters): the person_periods rows are repeated once per type they meet.
WITH {common},
type_masks AS (
    SELECT e.provision_type,
           bit_or(CAST(1 AS UBIGINT) << b.element_bit) AS type_mask
    FROM elements e JOIN element_bits b USING (element_code)
    GROUP BY e.provision_type
),
typed AS (
    SELECT p.* EXCLUDE (cell_mask), t.provision_type, p.cell_mask & t.type_mask AS cell_mask
    FROM pbase p JOIN type_masks t ON (p.element_mask & p.cell_mask & t.type_mask) <> 0
),
{by_type},
cost AS (
    SELECT area, period_dim, provision_type, sum(cost_in_period) AS cost
    FROM base GROUP BY area, period_dim, provision_type
),
{people},
types AS (SELECT unnest(['Internal', 'External', 'Direct payment']) AS provision_type),
cells AS (
    SELECT l.area_code, l.area_name, l.population, s.period_dim, t.provision_type
    FROM area_list l CROSS JOIN period_list s CROSS JOIN types t
)
SELECT c.area_code, c.area_name, c.population, c.period_dim AS period, c.provision_type,
       memory.cell_count(b.present, b.published) AS type_people,
       memory.protect_money(k.cost, memory.cell_count(b.present, b.published)) AS type_cost,
       k.cost IS NOT NULL AS cost_known,
       memory.cell_count(p.present, p.published) AS people
FROM cells c
LEFT JOIN by_type b ON b.area = c.area_code AND b.period_dim = c.period_dim
    AND b.provision_type = c.provision_type
LEFT JOIN cost k ON k.area = c.area_code AND k.period_dim = c.period_dim
    AND k.provision_type = c.provision_type
LEFT JOIN people p ON p.area = c.area_code AND p.period_dim = c.period_dim
