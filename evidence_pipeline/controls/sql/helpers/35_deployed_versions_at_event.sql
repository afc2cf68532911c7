-- The registry entry of the version each deploy or rollback released, as it stood at the
-- event's time (valid_from <= event_time < valid_to), one row per event: what the rules about
-- deployments judge the released version on, whatever became of the entry since (a version
-- deleted or changed after its deploy). An event whose version was not in the registry then has
-- no row. None when MLflow is not configured. Its rows do not depend on $as_of (an entry valid
-- at an event has valid_from <= event_time <= as_of), so a backfill builds it once.
CREATE OR REPLACE TEMP TABLE deployed_versions_at_event AS
SELECT
    d.event_id,
    v.name,
    v.version,
    v.tags,
    v.created_at,
    v.valid_from,
    v.observed_at
FROM deployment_events_as_of d
JOIN mlflow_model_versions v
    ON v.name = d.model_name AND v.version = d.model_version
    AND v.valid_from <= d.event_time AND (v.valid_to IS NULL OR d.event_time < v.valid_to)
WHERE d.event_type IN ('deploy', 'rollback') AND source_configured('mlflow')
QUALIFY row_number() OVER (
    PARTITION BY d.event_id ORDER BY v.valid_from DESC, v.observed_at DESC
) = 1;
