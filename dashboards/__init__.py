"""Streaming aggregation for the wallboard, report and chart builders."""
