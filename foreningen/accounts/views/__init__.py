"""One module per audience: `auth` (public: sign-in, reset, invitation), `own` (one's account)."""
