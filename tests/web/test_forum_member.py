"""The member's experience of a thread: numbered pages and "go to post number",
initials or a picture beside each author, the bell's grouped drop-down, the note
to an author whose post a moderator hid, and Q&A lists that keep answers hidden."""
from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import select

from hub.accounts import avatars
from hub.extensions import db
from hub.forum import notifications, services
from hub.forum.models import Notification
from tests.querycount import counted
from tests.web.forum_helpers import (
    forum,
    login_as,
    make_forum,
    posts_of,
    reply,
    seed,
    text,
    topic_with_replies,
)


def _pager(page: str) -> str:
    return page[page.index('<nav class="pager"'):page.index("</nav>", page.index('<nav class="pager"'))]


def _picture(kind: str = "PNG", size=(300, 200), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "orange").save(out, kind, **save)
    return out.getvalue()


# -- pages and jumping -------------------------------------------------------------------

def test_thread_pager_numbers_pages_around_the_current_one(app, client, make_user):
    seed()
    app.config["FORUM_POSTS_PER_PAGE"] = 5
    writer = make_user()
    topic = topic_with_replies(forum("general"), writer, "Long", replies=[(writer, f"R{n}") for n in range(2, 41)])
    login_as(client, make_user())
    base = f"/forum/topic/{topic.id}"

    middle = _pager(text(client.get(f"{base}?page=5")))
    assert 'aria-label="Pages"' in middle
    links = re.findall(r'<a (?:rel="\w+" )?href="([^"]+)"[^>]*>([^<]+)</a>', middle)
    assert [label for _href, label in links] == ["First", "Previous", "3", "4", "5", "6", "7", "Next", "Last"]
    hrefs = dict((label, href) for href, label in links)
    assert hrefs["First"] == base and hrefs["Previous"] == f"{base}?page=4"
    assert hrefs["Next"] == f"{base}?page=6" and hrefs["Last"] == f"{base}?page=8"
    assert middle.count("…") == 2  # pages 1-2 and 8 left out, on both sides
    assert re.search(r'aria-label="Page 5" aria-current="page">5<', middle)
    assert middle.count("aria-current") == 1
    assert "Page 5 of 8" in middle

    first = _pager(text(client.get(base)))
    labels = re.findall(r">([^<>]+)</a>", first)
    assert labels == ["1", "2", "3", "Next", "Last"]
    assert f'href="{base}" aria-label="Page 1" aria-current="page"' in first
    assert first.count("…") == 1
    last = _pager(text(client.get(f"{base}?page=8")))
    assert re.findall(r">([^<>]+)</a>", last) == ["First", "Previous", "6", "7", "8"]
    assert f'href="{base}?page=2"' in _pager(text(client.get(f"{base}?page=3")))  # "Previous", numbered 2


def test_jump_to_post_number_opens_its_page_at_its_anchor(app, client, make_user):
    seed()
    app.config["FORUM_POSTS_PER_PAGE"] = 5
    writer, moderator = make_user(), make_user("moderator")
    topic = topic_with_replies(forum("general"), writer, "Long", replies=[(writer, f"R{n}") for n in range(2, 24)])
    posts = posts_of(topic.id)
    from hub.forum import moderation
    moderation.hide_post(posts[9], moderator, "spam")  # #10: members no longer see it
    db.session.commit()
    login_as(client, make_user())
    page = text(client.get(f"/forum/topic/{topic.id}"))
    assert 'name="post" type="number" min="1" max="23"' in page and "Go to post number" in page

    response = client.get(f"/forum/topic/{topic.id}?post=23")
    # #10 is hidden from this reader: #23 is their 22nd post, on page 5
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/forum/topic/{topic.id}?page=5#post-{posts[22].id}")
    first = client.get(f"/forum/topic/{topic.id}?post=%231")
    assert first.headers["Location"].endswith(f"/forum/topic/{topic.id}#post-{posts[0].id}")
    for wrong in ("10", "24", "0", "abc", "99999999999999999999", ""):
        response = client.get(f"/forum/topic/{topic.id}", query_string={"post": wrong})
        assert response.status_code == 200, wrong
        assert "There is no post #" in text(response), wrong
    login_as(client, moderator)
    assert client.get(f"/forum/topic/{topic.id}?post=10").headers["Location"].endswith(
        f"?page=2#post-{posts[9].id}")


# -- initials and pictures ---------------------------------------------------------------

def test_threads_show_initials_coloured_per_member(app, client, make_user):
    seed()
    sofia, kim = make_user(display_name="Sofía García"), make_user(display_name="kim")
    topic = topic_with_replies(forum("general"), sofia, "Hello", replies=[(kim, "Hi")])
    login_as(client, make_user())
    page = text(client.get(f"/forum/topic/{topic.id}"))
    assert f'<span class="avatar avatar-c{avatars.colour(sofia.id)}" aria-hidden="true">SG</span>' in page
    assert f'<span class="avatar avatar-c{avatars.colour(kim.id)}" aria-hidden="true">K</span>' in page
    assert avatars.colour(sofia.id) == avatars.colour(sofia.id) and 0 <= avatars.colour(sofia.id) < 8
    assert len({avatars.colour(n) for n in range(1, 60)}) == 8
    assert avatars.initials("  ") == "?" and avatars.initials("Maria de la Cruz") == "MC"


def test_a_member_uploads_a_picture_that_replaces_the_initials(app, client, make_user):
    seed()
    sofia = make_user(display_name="Sofía García")
    topic = topic_with_replies(forum("general"), sofia, "Hello")
    login_as(client, sofia)
    assert "Upload picture" in text(client.get("/account")) and "Remove picture" not in text(client.get("/account"))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # a phone's EXIF block (GPS positions live there too)
    jpeg = _picture("JPEG", exif=exif)
    response = client.post("/account/picture", data={"picture": (io.BytesIO(jpeg), "me.jpg")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "Your picture is saved." in text(response)
    stored = Image.open(avatars.path_for(sofia.id))
    assert stored.format == "WEBP" and stored.size == (256, 256) and not stored.getexif()

    login_as(client, make_user())
    page = text(client.get(f"/forum/topic/{topic.id}"))
    match = re.search(rf'<img class="avatar" src="(/members/{sofia.id}/picture\?v=\d+)" alt=""', page)
    assert match and "aria-hidden=\"true\">SG<" not in page
    picture = client.get(match.group(1))
    assert picture.status_code == 200 and picture.mimetype == "image/webp"
    assert picture.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/members/{make_user().id}/picture").status_code == 404  # no picture: initials instead

    login_as(client, sofia)
    assert "Remove picture" in text(client.get("/account"))
    response = client.post("/account/picture", data={"action": "remove"}, follow_redirects=True)
    assert "your initials show instead" in text(response) and not avatars.path_for(sofia.id).exists()
    assert client.get(match.group(1)).status_code == 404


def test_pictures_are_checked(app, client, make_user):
    member = login_as(client, make_user())

    def upload(data: bytes, name: str) -> str:
        return text(client.post("/account/picture", data={"picture": (io.BytesIO(data), name)},
                                content_type="multipart/form-data", follow_redirects=True))

    assert "must be a PNG, JPEG or WebP" in upload(_picture("GIF"), "a.gif")
    assert "must be a PNG, JPEG or WebP" in upload(b"%PDF-1.4 not a picture", "a.png")
    assert "could not be read as a picture" in upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "broken.png")
    assert "Choose a picture to upload." in text(client.post("/account/picture", data={},
                                                             follow_redirects=True))
    app.config["AVATAR_MAX_BYTES"] = 1000
    assert "larger than" in upload(_picture("PNG", size=(400, 400)) + b"\x00" * 1000, "big.png")
    assert not avatars.path_for(member.id).exists()
    app.config["AVATAR_MAX_BYTES"] = 2 * 1024 * 1024
    assert "Your picture is saved." in upload(_picture("WEBP", size=(40, 90)), "small.webp")
    assert Image.open(avatars.path_for(member.id)).size == (256, 256)


def test_a_picture_costs_the_thread_no_query(app, client, make_user):
    seed()
    people = [make_user() for _ in range(3)]
    topic = topic_with_replies(forum("general"), people[0], "Pictures",
                               replies=[(people[n % 3], f"reply {n}") for n in range(6)])
    login_as(client, make_user())
    path = f"/forum/topic/{topic.id}"

    def queries() -> int:
        client.get(path)
        with counted() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    without = queries()
    for person in people:
        avatars.store(person.id, Image.new("RGB", (10, 10)))
    page = text(client.get(path))
    assert page.count('<img class="avatar"') == 7
    assert queries() == without


def test_a_deleted_members_picture_is_removed(app, client, make_user):
    from tests.conftest import TEST_PASSWORD

    member = login_as(client, make_user())
    avatars.store(member.id, Image.new("RGB", (10, 10)))
    response = client.post("/account/delete", data={"password": TEST_PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert not avatars.path_for(member.id).exists()


# -- the bell ----------------------------------------------------------------------------

def test_the_bell_menu_groups_new_replies_per_topic(app, client, make_user):
    seed()
    reader, ana, ben = make_user(), make_user(display_name="Ana"), make_user(display_name="Ben")
    followed = topic_with_replies(forum("general"), reader, "Job fairs")
    other = topic_with_replies(forum("general"), ana, "Language cafés")
    for author, body in ((ana, "one"), (ben, "two"), (ana, "three")):
        services.reply(followed, author, body, "en")
    services.reply(other, ben, f"Ask @[{reader.display_name}]", "en")
    notifications.notify(reader.id, "Your practice is published", "/practices/")
    db.session.commit()
    login_as(client, reader)

    menu = text(client.get("/forum/notifications/menu"))
    items = re.findall(r'<a href="([^"]+)">\s*(.*?)\s*</a>', menu, re.S)
    assert [label for _href, label in items] == [
        "Your practice is published", "Ben mentioned you in “Language cafés”", "3 new replies in “Job fairs”",
        "See all notifications"]
    assert "<html" not in menu  # a fragment for the drop-down
    notes = db.session.scalars(select(Notification).where(Notification.user_id == reader.id,
                                                          Notification.topic_id == followed.id)
                               .order_by(Notification.id)).all()
    group_link = items[2][0].replace("&amp;", "&")
    assert group_link == f"/forum/notifications/{notes[0].id}?group=1"

    response = client.get(group_link)  # the oldest of the three: where reading starts
    assert response.headers["Location"].endswith(f"/forum/post/{posts_of(followed.id)[1].id}")
    db.session.expire_all()
    assert all(n.read_at is not None for n in db.session.scalars(
        select(Notification).where(Notification.user_id == reader.id, Notification.topic_id == followed.id)))
    assert notifications.unread_count(reader.id) == 2
    menu = text(client.get("/forum/notifications/menu"))
    assert "Job fairs" not in menu and "Language cafés" in menu

    client.post("/forum/notifications/read")
    assert "Nothing new." in text(client.get("/forum/notifications/menu"))


def test_the_bell_stays_a_link_to_the_full_list(app, client, make_user):
    login_as(client, make_user())
    page = text(client.get("/forum/"))
    assert re.search(r'<a class="notification-bell" href="/forum/notifications"\s+data-menu="/forum/notifications/menu"',
                     page)
    assert "js/bell.js" in page


def test_the_author_hears_why_a_moderator_hid_the_post(app, client, make_user):
    seed()
    author = make_user(display_name="Author", language="da")
    moderator = make_user("moderator")
    topic = topic_with_replies(forum("general"), author, "Open question", replies=[(author, "Buy my course!")])
    spam = posts_of(topic.id)[1]
    login_as(client, moderator)
    client.post(f"/forum/post/{spam.id}/hide", data={"reason": "Advertising"})
    notes = db.session.scalars(select(Notification).where(Notification.user_id == author.id)).all()
    assert len(notes) == 1 and notes[0].kind == "site"
    assert "“Open question”" in notes[0].text and "Advertising" in notes[0].text
    assert notes[0].url == f"/forum/post/{spam.id}"
    login_as(client, author)
    assert "Advertising" in text(client.get("/forum/notifications/menu"))
    response = client.get(f"/forum/notifications/{notes[0].id}")
    assert client.get(response.headers["Location"]).status_code == 302  # the author still finds the post

    # a moderator hiding their own post is not told about it
    own = services.reply(topic, moderator, "Oops, wrong topic", "en")
    db.session.commit()
    login_as(client, moderator)
    client.post(f"/forum/post/{own.id}/hide", data={"reason": ""})
    assert db.session.scalar(select(Notification).where(Notification.user_id == moderator.id)) is None


# -- Q&A lists ---------------------------------------------------------------------------

def test_qa_lists_hide_answer_counts_and_names_until_the_reader_answers(app, client, make_user):
    seed()
    starter, sofia, reader = make_user(display_name="Ola Nordmann"), make_user(display_name="Sofía García"), make_user()
    qa = make_forum("exercise", "qa")
    topic = topic_with_replies(qa, starter, "First interview?", replies=[(sofia, "Listen first")])
    login_as(client, reader)

    def row(page: str) -> str:
        start = page.index("First interview?")
        return page[start:page.index("</tr>", start)]

    listed = row(text(client.get("/forum/f/exercise")))
    assert "Sofía García" not in listed and '<td class="num">1</td>' not in listed
    assert "Answer to see the replies" in listed and "by Ola Nordmann" in listed
    index = text(client.get("/forum/"))
    assert "Sofía García" not in index and f"/forum/post/{posts_of(topic.id)[1].id}" not in index

    assert reply(client, topic.id, "Ask about their goals").status_code == 302
    listed = row(text(client.get("/forum/f/exercise")))
    assert '<td class="num">2</td>' in listed and "Answer to see" not in listed and "by Member" in listed

    login_as(client, starter)  # the starter always sees the answers
    assert '<td class="num">2</td>' in row(text(client.get("/forum/f/exercise")))
    open_qa = make_forum("open", "qa", qa_post_first=False)
    topic_with_replies(open_qa, starter, "Open question", replies=[(sofia, "Visible")])
    login_as(client, make_user())
    page = text(client.get("/forum/f/open"))
    assert "by Sofía García" in page and "Answer to see" not in page
