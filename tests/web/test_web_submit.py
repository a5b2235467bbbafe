"""Photos taken with a submission (checkengine/web/submit.py), in a real store: an item whose rule
asks for the photos' location (``evidence: {photo_location: true}``) keeps the GPS position, every
other item's photos lose it; an iPhone's HEIC is kept as a JPEG."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from photo_files import GPS_IFD, heic_with_location, jpeg_with_location

from checkengine.archive.store import open_archive
from checkengine.web.submit import located_rules, take_photos

TAIPEI = {"id": "cc-taipei", "name": "台北客服中心", "country": "TW", "timezone": "Asia/Taipei", "type": "call_centre"}
MANUAL = {"type": "manual", "prompt": {"en": "?", "zh-Hant": "?", "zh-Hans": "?"}}


def test_only_the_rule_that_asks_keeps_the_photos_location(make_book: Any, helpers: Any, tmp_path: Path) -> None:
    rule = helpers.rule
    book = make_book([rule("ATM-02-no-tampering", MANUAL, evidence={"photo": True, "photo_location": True}),
                      rule("WKS-03-desk-tidy", MANUAL, evidence={"photo": True})])
    assert located_rules(book) == {"ATM-02-no-tampering"}
    with open_archive(str(tmp_path / "store.sqlite"), write=True) as store:
        with store.writing():
            store.add_site(TAIPEI)
            uid = store.add_user(username="lin", name="Lin", role="auditor", password_hash="$argon2id$x",
                                 sites=["cc-taipei"])
            iid = store.add_inspection(site="cc-taipei", rulebook="test-book", kind="floor_inspection",
                                       subject={}, due="2026-11-03", assigned_to=uid, created_by=uid)
        user, inspection = store.user_by_id(uid), store.inspection(iid)
        assert user is not None and inspection is not None
        photos, problems = take_photos(store, inspection, user, [
            ("ATM-02-no-tampering", "IMG_0001.HEIC", heic_with_location()),
            ("ATM-02-no-tampering", "IMG_0002.jpg", jpeg_with_location()),
            ("WKS-03-desk-tidy", "IMG_0003.HEIC", heic_with_location()),
            ("WKS-03-desk-tidy", "../../x.jpg", jpeg_with_location(30, 30)),
        ], {}, "127.0.0.1", keep_location=located_rules(book))
        assert problems == {}
        kept = {rule_id: [store.photo(d) for d in digests] for rule_id, digests in photos.items()}
    for rule_id, located in (("ATM-02-no-tampering", True), ("WKS-03-desk-tidy", False)):
        assert len(kept[rule_id]) == 2
        for found in kept[rule_id]:
            assert found is not None
            media_type, data, _ = found
            image = Image.open(io.BytesIO(data))
            assert media_type == "image/jpeg" and image.format == "JPEG"  # the HEIC too
            assert bool(image.getexif().get_ifd(GPS_IFD)) is located, rule_id
            assert b"PhoneMaker" not in data
