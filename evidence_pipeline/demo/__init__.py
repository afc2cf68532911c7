"""The sample ML estate `evidence-pipeline demo` builds and runs the pipeline on."""

from evidence_pipeline.demo.estate import DemoEstate, build_demo_estate

__all__ = ["DemoEstate", "build_demo_estate"]
