"""Both languages are complete: every message of the templates and the code has a translation."""

from __future__ import annotations

import re

import pytest

from portal import i18n
from portal.settings import LOCALES

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def template():
    return i18n.extract_messages()


def test_the_extraction_finds_the_pages_messages(template):
    ids = {message.id for message in template if message.id}
    assert "Onboard a school" in ids
    assert "Sign out" in ids
    assert len(ids) > 100


@pytest.mark.parametrize("locale", LOCALES)
def test_no_message_is_untranslated(template, locale):
    names = i18n.catalogue_names()
    for name, part in i18n.split_by_catalogue(template, names).items():
        assert i18n.untranslated(i18n.read_catalogue(locale, name), part) == [], name


def test_a_page_area_keeps_its_own_messages_and_shares_the_common_ones(template):
    parts = i18n.split_by_catalogue(template, ["messages", "schools"])
    schools = {message.id for message in parts["schools"] if message.id}
    common = {message.id for message in parts["messages"] if message.id}
    assert "Row by row" in schools and "Row by row" not in common
    assert "Sign out" in common and "Sign out" not in schools
    assert i18n.area_of("templates/schools/index.html", ["schools"]) == "schools"
    assert i18n.area_of("templates/base.html", ["schools"]) == "messages"
    assert i18n.area_of("domain/hazards/controller.py", ["schools"]) == "messages"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", i18n.catalogue_names())
def test_translations_keep_every_placeholder(locale, name):
    for message in i18n.read_catalogue(locale, name):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, (locale, message.id, string)


def test_chinese_is_the_default_and_english_is_english():
    i18n.install()
    token = i18n.use_locale("zh_Hans")
    try:
        assert i18n.gettext("Sign out") == "退出登录"
        assert i18n.ngettext("%(num)d school", "%(num)d schools", 3) == "共 3 所学校"
        i18n.use_locale("en")
        assert i18n.gettext("Sign out") == "Sign out"
        assert i18n.ngettext("%(num)d school", "%(num)d schools", 3) == "3 schools"
    finally:
        i18n._current.reset(token)


@pytest.mark.parametrize(
    ("tag", "locale"),
    [("zh-Hans", "zh_Hans"), ("zh_CN", "zh_Hans"), ("en-GB", "en"), ("en", "en"), ("fr", None), ("", None)],
)
def test_language_tags_are_understood(tag, locale):
    assert i18n.normalise(tag) == locale


@pytest.mark.parametrize("name", i18n.catalogue_names())
def test_english_is_never_chinese(name):
    cjk = re.compile(r"[\u4e00-\u9fff]")
    wrong = []
    for message in i18n.read_catalogue("en", name):
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.id and any(cjk.search(text or "") for text in strings) and not cjk.search(str(message.id)):
            wrong.append(message.id)
    assert wrong == [], name
