"""Sign-in integration: login by username, email or mobile number; volunteer-only sign-up."""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from .phones import PhoneField, normalise_phone


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Only volunteers register themselves (the sign-up form is the volunteer application);
        # supervisee accounts are created by caseworkers.
        return True

    def phone_form_field(self, **kwargs):
        return PhoneField(**kwargs)

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified = verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user) -> tuple[str, bool] | None:
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user, phone: str) -> None:
        user.phone_verified = True
        user.save(update_fields=["phone_verified"])

    def get_user_by_phone(self, phone: str):
        try:
            phone = normalise_phone(phone)
        except ValidationError:
            return None
        return get_user_model().objects.filter(phone=phone).first()

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        from .notify import send_sms

        send_sms(phone, f"验证码 {code}，15 分钟内有效。")
