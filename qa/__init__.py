"""Quality: KPI formulas over event records, evaluation forms, calibration, coaching."""
