"""A Keycloak-compatible identity server for SafeCampus development and tests.

It loads ``infra/keycloak/realm-safecampus.json`` (the file a real Keycloak imports) and serves the
OpenID Connect endpoints and the Admin REST subset the project uses, with Keycloak's URL layout and
token shapes. It refuses to start with ``SAFECAMPUS_ENV=production``. See ``README.md`` here.
"""
