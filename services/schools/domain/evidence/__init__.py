"""Evidence files: photos, PDFs and office documents that deliverables, management documents and drills
point at."""

from schools.domain.evidence.controller import EvidenceFileController

__all__ = ["EvidenceFileController"]
