-- Filtered person_periods for one view (built by ingest/sql/085_person_periods.sql): one row
-- per period, person and grain combination, with the person's element mask. The grain filters
-- are the same <conditions> as base.sql; element-attribute filters (elements, services, themes,
-- provision) arrive as one mask, `element_mask & M <> 0`, exact because every agreement has one
-- element. <cell_mask> is M (or all bits when no element filter applies): the elements a cell
-- counts. Every user value is a $parameter; the placeholders come from queries/sqlparts.py.
-- <presummed> lists the pre-summed facts columns when the database has them.
SELECT {area_expr} AS area, {period_dim} AS period_dim, f.period, f.person_idx, f.person_key,
       f.element_mask, f.single_row, f.one_combo, f.stable_mask, f.union_mask, f.direct_before,
       f.age_band, f.gender, f.ethnic_group, {cell_mask} AS cell_mask{presummed}
FROM person_periods f{region_join}
WHERE f.period_kind = $period_kind
  AND f.period BETWEEN $period_from AND $period_to{conditions}
