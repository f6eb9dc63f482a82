"""The portal's links (heavylegs.store.portal_links): secrets shown once, hashes stored atomically, the audit."""
import json
import re
import threading

import pytest

from heavylegs.errors import InputError
from heavylegs.store.portal_links import (LinkTable, append_audit, athlete_for_secret, base_url, links_by_athlete,
                                          make_link, read_audit, read_links, record_base_url, revoke_links,
                                          secret_hash)

LINK = re.compile(r"^http://127\.0\.0\.1:8870/a/(?P<secret>[A-Za-z0-9_-]{32})/\Z")


def _secret(link):
    return link.rstrip("/").rsplit("/", 1)[1]


def test_a_link_holds_192_random_bits_and_only_its_hash_is_stored(data_copy):
    link = make_link(data_copy, "ana")
    match = LINK.match(link)
    assert match, link
    secret = match.group("secret")
    assert len(secret) * 6 >= 128  # URL-safe base64: 6 bits a character (192 bits here)
    text = (data_copy / "portal" / "tokens.json").read_text(encoding="utf-8")
    assert secret not in text
    doc = json.loads(text)
    assert doc["format"] == "heavylegs.portal-tokens/1"
    assert doc["links"] == [{"athlete_id": "ana", "hash": secret_hash(secret), "created": doc["links"][0]["created"]}]
    # nothing about links lands in the athlete's own folder
    assert not any("token" in p.name for p in (data_copy / "athletes" / "ana").rglob("*"))


def test_secrets_differ_and_each_opens_only_its_athlete(data_copy):
    links = {athlete: make_link(data_copy, athlete) for athlete in ("ana", "ben")}
    second = make_link(data_copy, "ana")
    assert len({_secret(x) for x in [*links.values(), second]}) == 3
    assert athlete_for_secret(data_copy, _secret(links["ana"])) == "ana"
    assert athlete_for_secret(data_copy, _secret(second)) == "ana"  # the earlier link keeps working
    assert athlete_for_secret(data_copy, _secret(links["ben"])) == "ben"


@pytest.mark.parametrize("secret", ["", "x", "a" * 32, "../../athletes/ana", "%2e%2e", None, 5, "A" * 300])
def test_unknown_or_malformed_secrets_open_nothing(data_copy, secret):
    make_link(data_copy, "ana")
    assert athlete_for_secret(data_copy, secret) is None


def test_revoke_ends_every_link_of_one_athlete_at_once(data_copy):
    table = LinkTable(data_copy)
    ana = [_secret(make_link(data_copy, "ana")) for _ in range(2)]
    ben = _secret(make_link(data_copy, "ben"))
    assert table.athlete(ana[0]) == "ana"
    assert revoke_links(data_copy, "ana") == 2
    # the same table (as in the running portal) sees the change at once
    assert table.athlete(ana[0]) is None and table.athlete(ana[1]) is None
    assert table.athlete(ben) == "ben"
    assert revoke_links(data_copy, "ana") == 0
    fresh = _secret(make_link(data_copy, "ana"))
    assert table.athlete(fresh) == "ana"


def test_unknown_athlete_and_bad_id_are_refused(data_copy):
    with pytest.raises(InputError, match="no profile for athlete 'zed'"):
        make_link(data_copy, "zed")
    with pytest.raises(InputError, match="expected an id"):
        make_link(data_copy, "../ana")
    assert not (data_copy / "portal" / "tokens.json").exists()


def test_a_bad_tokens_file_is_reported_and_left_alone(data_copy):
    path = data_copy / "portal" / "tokens.json"
    path.parent.mkdir()
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"tokens\.json: invalid JSON"):
        make_link(data_copy, "ana")
    assert path.read_text(encoding="utf-8") == "{not json"
    path.write_text('{"format": "other", "links": []}', encoding="utf-8")
    with pytest.raises(InputError, match="heavylegs.portal-tokens/1"):
        read_links(data_copy)


def test_tokens_are_written_atomically(data_copy, monkeypatch):
    make_link(data_copy, "ana")
    path = data_copy / "portal" / "tokens.json"
    before = path.read_bytes()
    import heavylegs.store.storage as storage

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(storage.os, "replace", crash)
    with pytest.raises(OSError):
        make_link(data_copy, "ben")
    monkeypatch.undo()
    assert path.read_bytes() == before  # the old file, whole
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert [link["athlete_id"] for link in read_links(data_copy)] == ["ana"]


def test_links_made_at_the_same_moment_are_all_kept(data_copy):
    made = []

    def one(athlete):
        made.append((athlete, _secret(make_link(data_copy, athlete))))

    threads = [threading.Thread(target=one, args=(a,)) for a in ["ana", "ben", "carla", "dev"] * 5]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    table = LinkTable(data_copy)
    assert len(read_links(data_copy)) == 20
    assert all(table.athlete(secret) == athlete for athlete, secret in made)
    assert links_by_athlete(data_copy)["ana"]["links"] == 5


def test_audit_rows_never_hold_a_secret(data_copy):
    link = make_link(data_copy, "ana")
    revoke_links(data_copy, "ana")
    append_audit(data_copy, "ana", "checkin", 'detail with, a comma and "quotes"', "10.0.0.7")
    rows = read_audit(data_copy)
    assert [r["action"] for r in rows] == ["link", "revoke", "checkin"]
    assert rows[-1]["detail"] == 'detail with, a comma and "quotes"' and rows[-1]["client"] == "10.0.0.7"
    assert list(rows[0]) == ["time", "athlete_id", "action", "detail", "client"]
    assert _secret(link) not in (data_copy / "portal" / "audit.csv").read_text(encoding="utf-8")


def test_links_use_the_address_the_portal_recorded(data_copy):
    assert base_url(data_copy) == "http://127.0.0.1:8870"
    record_base_url(data_copy, "https://team.example.org/legs/")
    assert base_url(data_copy) == "https://team.example.org/legs"
    assert make_link(data_copy, "ana").startswith("https://team.example.org/legs/a/")
    with pytest.raises(InputError, match="expected an address"):
        record_base_url(data_copy, "ftp://x")
