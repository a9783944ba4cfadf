"""Plain functions that build test data. Tests never use the demo content."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


def make_user(username="user", *, groups=(), is_staff=None, is_superuser=False, **fields):
    """A user with password "pw", in the named staff groups (staff status if in any group)."""
    User = get_user_model()
    if is_staff is None:
        is_staff = bool(groups) or is_superuser
    user = User.objects.create_user(
        username,
        password="pw",
        is_staff=is_staff,
        is_superuser=is_superuser,
        **fields,
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def make_superuser(username="root"):
    return make_user(username, is_superuser=True)
