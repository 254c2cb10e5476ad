"""One module per audience: `public` (the application), `own` (a member's own page), `board`
(the register and applications, for the board and, reading, the coordinators)."""
