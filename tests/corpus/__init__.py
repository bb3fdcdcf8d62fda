"""The bad-input corpus: broken study folders, generated at test time from compact definitions."""
