-- Whether each source is configured (evidence-model.md, section 1): a source whose latest
-- ingestion run was `skipped` is not, and the rules that need it return no rows, so its
-- controls show no_evidence. A source never recorded in ingestion_runs counts as configured
-- while the warehouse holds evidence from it.
CREATE OR REPLACE TEMP TABLE configured_sources AS
WITH latest_run AS (
    SELECT source, status
    FROM ingestion_runs
    QUALIFY row_number() OVER (
        PARTITION BY source ORDER BY started_at DESC, finished_at DESC NULLS FIRST
    ) = 1
),
evidence AS (
    SELECT 'mlflow' AS source,
        EXISTS (SELECT 1 FROM mlflow_registered_models)
            OR EXISTS (SELECT 1 FROM mlflow_model_versions) AS held
    UNION ALL
    SELECT 'gx', EXISTS (SELECT 1 FROM gx_validations)
    UNION ALL
    SELECT 'deploy_logs', EXISTS (SELECT 1 FROM deployment_events)
)
SELECT e.source
FROM evidence e
LEFT JOIN latest_run r ON r.source = e.source
WHERE CASE WHEN r.status IS NULL THEN e.held ELSE r.status <> 'skipped' END;

-- Whether a source (`mlflow`, `gx`, `deploy_logs`) is configured.
CREATE OR REPLACE TEMP MACRO source_configured(name) AS
    EXISTS (SELECT 1 FROM configured_sources c WHERE c.source = name);
