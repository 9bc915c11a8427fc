"""What every feature shares and nothing feature-specific: events, effects, the UI model, the
registry, the handler context, the command grammar, the clock, settings and logs."""
