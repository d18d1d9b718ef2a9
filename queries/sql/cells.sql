-- The one lookup every view makes: published cells of one period kind, for the periods, what
-- members and breakdown members the view shows, at its level ($levels: the view's level, and
-- 'city' when it compares its areas with the city's own cell). Each list is built by the view
-- from the catalogue's members (queries/cells.py), never from user text; $areas (NULL for
-- every area of the level: queries/cells.py passes it so when the view shows them all)
-- restricts the rows to the areas shown (area codes are unique across levels). The cells table
-- is sorted by level, period kind, what, the breakdowns, period and area, so a lookup is one
-- run of rows and these filters skip the rest.
SELECT area_code, period, what, age_band, client_group, gender, ethnic_group,
       people, agreements_active, agreements_started, people_over_6w, cost, cost_beyond_42
FROM cells
WHERE list_contains($levels, level)
  AND period_kind = $period_kind
  AND list_contains($periods, period)
  AND list_contains($whats, what)
  AND list_contains($age_bands, age_band)
  AND list_contains($client_groups, client_group)
  AND list_contains($genders, gender)
  AND list_contains($ethnic_groups, ethnic_group)
  AND ($areas IS NULL OR list_contains($areas, area_code))
