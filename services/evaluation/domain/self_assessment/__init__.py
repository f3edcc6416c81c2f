"""Self-assessment: the school scores itself against the rubric, with evidence, before the inspection."""
