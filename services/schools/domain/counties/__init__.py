"""Counties: the bureau's tenant. Created by the operator, read by everyone of the county."""

from schools.domain.counties.controller import CountyController
from schools.domain.counties.models import County

__all__ = ["County", "CountyController"]
