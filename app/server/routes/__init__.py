"""One router per resource."""

from typing import Annotated

from fastapi import Path

# Ids beyond 2**62 cannot exist; refusing them keeps huge numbers away from the database.
Id = Annotated[int, Path(ge=1, le=2**62)]
