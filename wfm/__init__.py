"""Workforce management: forecasting, Erlang B/C/A and staffing, scheduling, adherence."""
