import pytest

from supplychain.config import DefaultConfig
from tests.factories import UserFactory


@pytest.fixture
def app_config():
    return {"BABEL_DEFAULT_LOCALE": DefaultConfig.BABEL_DEFAULT_LOCALE}


def test_pages_are_chinese_by_default(client):
    page = client.get("/auth/login").get_data(as_text=True)

    assert DefaultConfig.BABEL_DEFAULT_LOCALE == "zh_CN"
    assert 'lang="zh-CN"' in page
    assert "登录" in page


def test_language_switch_turns_pages_english_and_back(client, login_as):
    login_as(UserFactory(role="admin"))

    client.post("/auth/lang/en", data={"next": "/"})
    english = client.get("/").get_data(as_text=True)
    client.post("/auth/lang/zh_CN", data={"next": "/"})
    chinese = client.get("/").get_data(as_text=True)

    assert 'lang="en"' in english and "Products" in english
    assert 'lang="zh-CN"' in chinese and "商品" in chinese


def test_unknown_language_is_ignored(client):
    client.post("/auth/lang/xx", data={"next": "/auth/login"})

    assert 'lang="zh-CN"' in client.get("/auth/login").get_data(as_text=True)


def test_api_answers_in_english_whatever_the_session_language(client):
    client.post("/auth/lang/zh_CN", data={"next": "/"})

    response = client.post(
        "/api/v1/auth/token", json={"username": "nobody", "password": "wrong password"}
    )

    assert response.json["error"]["message"] == "Wrong username or password."
