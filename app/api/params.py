"""Path and query parameter types shared by the API routers.

Ids are bounded at the edge: an id beyond the column's integer range is a 422 naming
the parameter, never a database overflow (a 500 on PostgreSQL).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1

Id32 = Annotated[int, Path(ge=1, le=INT32_MAX, description="id of an INTEGER-keyed row")]
Id64 = Annotated[int, Path(ge=1, le=INT64_MAX, description="id of a BIGINT-keyed row")]
Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
