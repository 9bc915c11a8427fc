"""One package per thing a person asks for. A feature's public face is its package
``__init__``; features never import each other (checked by import contracts)."""
