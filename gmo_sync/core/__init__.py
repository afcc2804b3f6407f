"""The domain core: model, sheet schema, validation, plan and apply. No I/O libraries here."""
