"""Demo data for `make run`: real kommun codes and one obviously fake account per role."""

from __future__ import annotations

from foreningen.auth import services as accounts
from foreningen.auth.queries import user_by_email
from foreningen.municipalities import services as municipalities
from foreningen.municipalities.queries import by_code

# Public on purpose: printed by `flask demo-data`, which refuses to run in production.
DEMO_PASSWORD = "demo-forening-2026"  # noqa: S105

MUNICIPALITIES = [
    ("0180", "Stockholm"), ("1480", "Göteborg"), ("1280", "Malmö"), ("0380", "Uppsala"),
    ("0580", "Linköping"), ("1880", "Örebro"), ("0680", "Jönköping"), ("2480", "Umeå"),
]

# (email, name, roles, kommun code)
ACCOUNTS = [
    ("admin@example.org", "Alva Administratör", ["admin"], None),
    ("styrelse@example.org", "Bertil Styrelsesson", ["board", "member"], None),
    ("samordnare@example.org", "Cecilia Samordnare", ["coordinator", "member"], None),
    ("stodperson@example.org", "Dina Stödperson", ["supporter", "member"], None),
    ("foralder@example.org", "Erik Förälder", ["parent"], None),
    ("medlem@example.org", "Fatima Medlem", ["member"], None),
    ("granskare@example.org", "Gustav Granskare", ["reviewer"], "0180"),
    ("socialsekreterare@example.org", "Hanna Socialsekreterare", ["social_worker"], "0180"),
]


def load() -> dict[str, int]:
    created = {"municipalities": 0, "accounts": 0}
    for code, name in MUNICIPALITIES:
        if by_code(code) is None:
            municipalities.create(code, name)
            created["municipalities"] += 1
    for email, name, roles, code in ACCOUNTS:
        if user_by_email(email) is None:
            municipality = by_code(code) if code else None
            accounts.create_user(email, name, roles, password=DEMO_PASSWORD,
                                 municipality_id=municipality.id if municipality else None)
            created["accounts"] += 1
    return created


def summary(created: dict[str, int] | None) -> str:
    """What was loaded (None: the database had accounts, nothing was loaded) and the logins."""
    if created is None:
        head = "Demo data: the database already has accounts; nothing loaded."
    else:
        head = (f"Demo data: {created['municipalities']} municipalities and "
                f"{created['accounts']} accounts added.")
    lines = [head, "", f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {email:32} {', '.join(roles)}" for email, _, roles, _ in ACCOUNTS]
    return "\n".join(lines)
