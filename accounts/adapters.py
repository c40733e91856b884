from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class CaseworkAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators: nobody signs themselves up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
