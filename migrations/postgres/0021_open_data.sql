-- Open data: incremental sync reads each kind in modification order (updated_at, id), and the
-- salons too; these indexes keep a page a range scan however large the library grows.
CREATE INDEX achievements_by_modified ON achievements (updated_at, id);
CREATE INDEX demands_by_modified ON demands (updated_at, id);
CREATE INDEX salons_by_modified ON salons (updated_at, id);
-- A feed per technical field: the field's latest changes without sorting the whole field.
CREATE INDEX achievements_by_field_modified ON achievements (technical_field, updated_at, id);
CREATE INDEX demands_by_field_modified ON demands (technical_field, updated_at, id);
