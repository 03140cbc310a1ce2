"""``Authorization: Bearer <key>`` for every API route."""

from ninja.security import HttpBearer

from .actions import token_for_key


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = token_for_key(token.strip())
        if found is None:
            return None
        # The rest of Fengqiao (access, audit) asks request.user; an API call acts as
        # the token's user and nobody else.
        request.user = found.user
        request.api_token = found
        return found.user
