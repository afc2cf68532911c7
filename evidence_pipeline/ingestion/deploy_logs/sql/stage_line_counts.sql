-- Lines read per object (counted in Arrow as they were landed): those with content are
-- records; blank ones are only counted.
INSERT INTO stg_line_counts SELECT uri, nonempty_lines, empty_lines FROM line_counts
