"""Schedules and sensors (being built)."""

schedules: list = []
sensors: list = []
