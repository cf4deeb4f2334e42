"""Staff accounts from the command line. The password comes from the environment, never an argument:

    STAFF_PASSWORD=... python -m api.staff create-user --email E --role agent|coordinator|admin [--territory T]
        [--volunteer]      (a resident who volunteers with the team: no access to handover summaries)

Exit 0 when created; 1 with a French message when the email exists or a field is wrong.
"""
from __future__ import annotations

import argparse
import os
import sys

from api.core.config import get_settings
from api.core.db import Database
from api.staff.access import say
from api.staff.accounts import ROLES, AccountError, create_user
from api.territories import Territories


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.staff", description="Comptes de l'équipe")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="créer un compte (mot de passe dans STAFF_PASSWORD)")
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--territory", help="identifiant du territoire (fichier de knowledge/territories)")
    create.add_argument("--volunteer", action="store_true", help="bénévole : pas d'accès aux résumés")
    args = parser.parse_args(argv)

    password = os.environ.get("STAFF_PASSWORD")
    if not password:
        print(say("password_missing"), file=sys.stderr)
        return 1
    settings = get_settings()
    known = {territory.id for territory in Territories.load(settings.territories_dir).all()}
    database = Database(settings.database_url)
    try:
        database.migrate()
        with database.session() as session:
            user = create_user(session, args.email, password, args.role, args.territory, known,
                               summaries=not args.volunteer)
    except AccountError as refused:
        print(say(refused.key), file=sys.stderr)
        return 1
    finally:
        database.dispose()
    where = f" ({user.territory_id})" if user.territory_id else ""
    print(f"{say('account_created')} {user.email} : {user.role}{where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
