"""The association's own details (name, organisation number, how members pay, how to reach
it) and its privacy notice with every version, kept by the board."""
