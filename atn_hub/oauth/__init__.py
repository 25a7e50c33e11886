"""OAuth 2.0: the resource protector that turns a bearer token into a principal (and, with the
authorization server, the grants that issue tokens)."""
