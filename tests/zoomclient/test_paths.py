from __future__ import annotations

from urllib.parse import unquote

import pytest

from zoomclient.paths import meeting_ref, path_value


def test_numeric_ids_go_as_they_are() -> None:
    assert meeting_ref(81234567890) == "81234567890"
    assert meeting_ref("81234567890") == "81234567890"


@pytest.mark.parametrize("uuid", ["/ajXp112QmuoKj4854875==", "aB//cD+eF==", "//x=="])
def test_uuids_with_a_leading_slash_or_double_slash_are_encoded_twice(uuid: str) -> None:
    encoded = meeting_ref(uuid)
    assert "/" not in encoded
    assert "%25" in encoded
    assert unquote(unquote(encoded)) == uuid


def test_other_uuids_are_encoded_once() -> None:
    assert meeting_ref("aDYlohsHRtCd4ii1uC2+hA==") == "aDYlohsHRtCd4ii1uC2%2BhA%3D%3D"
    assert meeting_ref("4444AAA/iiiiiii==") == "4444AAA%2Fiiiiiii%3D%3D"


def test_emails_keep_their_at_sign_and_lose_their_slashes() -> None:
    assert path_value("host@acme.test") == "host@acme.test"
    assert path_value("a/b") == "a%2Fb"
