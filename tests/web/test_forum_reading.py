"""Reading: the forum index with counts and latest posts, paged topic lists with
pinned topics first, paged threads, permalinks to later pages, unread tracking."""
from __future__ import annotations

import re
from datetime import timedelta

from hub.database import utcnow
from hub.extensions import db
from hub.forum import services
from tests.web.forum_helpers import forum, login_as, posts_of, reply, seed, text, topic_with_replies


def test_index_shows_counts_and_latest_post(app, client, make_user):
    seed()
    writer, reader = make_user(display_name="Sofia"), make_user()
    topic_with_replies(forum("general"), writer, "First topic", replies=[(writer, "r1")])
    second = topic_with_replies(forum("general"), writer, "Second topic", replies=[(writer, "r1"), (writer, "r2")])
    login_as(client, reader)
    page = text(client.get("/forum/"))
    row = page[page.index(">General discussion<"):]
    row = row[:row.index("</tr>")]
    counts = re.findall(r'<td class="num">(\d+)</td>', row)
    assert counts == ["2", "5"]
    assert "Second topic" in row and "by Sofia" in row
    latest = posts_of(second.id)[-1]
    assert forum("general").last_post_id == latest.id and f"/forum/post/{latest.id}" in row
    assert "No posts yet" in page  # the other forums


def test_topic_list_is_paged_pinned_first_and_sorted(app, client, make_user):
    seed()
    app.config["FORUM_TOPICS_PER_PAGE"] = 3
    writer = make_user()
    topics = [topic_with_replies(forum("general"), writer, f"Topic {n}") for n in range(7)]
    login_as(client, make_user())
    first = text(client.get("/forum/f/general"))
    assert "Page 1 of 3" in first
    assert [t for t in re.findall(r">(Topic \d)</a>", first)] == ["Topic 6", "Topic 5", "Topic 4"]
    # a reply brings a topic back to the top; a pinned topic stays above everything
    services.reply(topics[0], writer, "bump", "en")
    topics[2].pinned = True
    db.session.commit()
    first = text(client.get("/forum/f/general"))
    assert re.findall(r">(Topic \d)</a>", first) == ["Topic 2", "Topic 0", "Topic 6"]
    newest = text(client.get("/forum/f/general?sort=newest"))
    assert re.findall(r">(Topic \d)</a>", newest) == ["Topic 2", "Topic 6", "Topic 5"]
    assert "sort=newest" in newest.split('class="pager"')[1]
    third = text(client.get("/forum/f/general?page=3"))
    assert re.findall(r">(Topic \d)</a>", third) == ["Topic 1"]
    assert client.get("/forum/f/general?page=9").status_code == 404
    by_replies = text(client.get("/forum/f/general?sort=replies"))
    assert re.findall(r">(Topic \d)</a>", by_replies)[:2] == ["Topic 2", "Topic 0"]


def test_long_threads_are_paged_and_permalinks_find_later_pages(app, client, make_user):
    seed()
    app.config["FORUM_POSTS_PER_PAGE"] = 5
    writer, reader = make_user(), make_user()
    topic = topic_with_replies(forum("general"), writer, replies=[(writer, f"Reply number {n}") for n in range(2, 13)])
    posts = posts_of(topic.id)
    assert [p.position for p in posts] == list(range(1, 13))
    login_as(client, reader)
    page1 = text(client.get(f"/forum/topic/{topic.id}"))
    assert "Page 1 of 3" in page1 and "Reply number 5" in page1 and "Reply number 6" not in page1
    for post, page in ((posts[0], None), (posts[5], 2), (posts[11], 3)):
        response = client.get(f"/forum/post/{post.id}")
        assert response.status_code == 302
        expected = f"/forum/topic/{topic.id}" + (f"?page={page}" if page else "") + f"#post-{post.id}"
        assert response.headers["Location"].endswith(expected)
        target = text(client.get(response.headers["Location"].split("#")[0]))
        assert f'id="post-{post.id}"' in target
    assert client.get("/forum/post/999999").status_code == 404


def test_permalink_pages_follow_what_the_reader_sees(app, client, make_user):
    seed()
    app.config["FORUM_POSTS_PER_PAGE"] = 5
    writer, reader, moderator = make_user(), make_user(), make_user("moderator")
    topic = topic_with_replies(forum("general"), writer, replies=[(writer, f"Reply {n}") for n in range(2, 9)])
    posts = posts_of(topic.id)
    from hub.forum import moderation
    for post in posts[1:4]:  # hide #2-#4: the reader sees 1,5,6,7,8 on one page
        moderation.hide_post(post, moderator, "test")
    db.session.commit()
    login_as(client, reader)
    assert client.get(f"/forum/post/{posts[7].id}").headers["Location"].endswith(f"/forum/topic/{topic.id}#post-{posts[7].id}")
    login_as(client, moderator)
    assert client.get(f"/forum/post/{posts[7].id}").headers["Location"].endswith(f"?page=2#post-{posts[7].id}")


def _unread_marked(page: str, title: str) -> bool:
    row = [r for r in page.split("<tr") if title in r]
    return bool(row) and 'class="unread' in row[0]


def test_unread_tracking(app, client, make_user):
    seed()
    app.config["FORUM_POSTS_PER_PAGE"] = 3
    writer, reader = make_user(), make_user()
    topic = topic_with_replies(forum("general"), writer, "Fresh topic", replies=[(writer, "r2")])
    login_as(client, reader)
    assert _unread_marked(text(client.get("/forum/f/general")), "Fresh topic")
    assert "1 topic with new posts" in text(client.get("/forum/"))
    client.get(f"/forum/topic/{topic.id}")
    assert not _unread_marked(text(client.get("/forum/f/general")), "Fresh topic")
    assert "topic with new posts" not in text(client.get("/forum/"))
    for n in range(3, 8):
        services.reply(topic, writer, f"later {n}", "en")
    db.session.commit()
    listing = text(client.get("/forum/f/general"))
    assert _unread_marked(listing, "Fresh topic") and f"/forum/topic/{topic.id}/unread" in listing
    first_new = posts_of(topic.id)[2]
    jump = client.get(f"/forum/topic/{topic.id}/unread")
    assert jump.headers["Location"].endswith(f"/forum/topic/{topic.id}#post-{first_new.id}")
    page = text(client.get(f"/forum/topic/{topic.id}"))  # page 1: posts 1-3, #3 is new
    assert page.count('badge new">New<') == 1
    jump = client.get(f"/forum/topic/{topic.id}/unread")  # read up to #3 now: next is #4 on page 2
    assert jump.headers["Location"].endswith(f"?page=2#post-{posts_of(topic.id)[3].id}")
    # own posts never make a topic unread
    reply(client, topic.id, "my own reply")
    client.get(f"/forum/topic/{topic.id}?page=3")
    assert not _unread_marked(text(client.get("/forum/f/general")), "Fresh topic")


def test_mark_all_as_read(app, client, make_user):
    seed()
    writer, reader = make_user(), make_user()
    for n in range(3):
        topic_with_replies(forum("general"), writer, f"General {n}")
    topic_with_replies(forum("spain"), writer, "En España")
    login_as(client, reader)
    client.post("/forum/read", data={"forum": "general"})
    assert not any(_unread_marked(text(client.get("/forum/f/general")), f"General {n}") for n in range(3))
    assert _unread_marked(text(client.get("/forum/f/spain")), "En España")
    topic_with_replies(forum("general"), writer, "General new")
    response = client.post("/forum/read", follow_redirects=True)
    assert "All topics are marked as read" in text(response)
    assert not _unread_marked(text(client.get("/forum/f/spain")), "En España")
    assert not _unread_marked(text(client.get("/forum/f/general")), "General new")
    assert "with new posts" not in text(client.get("/forum/"))


def test_old_topics_count_as_read(app, client, make_user):
    seed()
    writer = make_user()
    topic = topic_with_replies(forum("general"), writer, "Ancient topic")
    topic.last_post_at = utcnow() - timedelta(days=45)
    db.session.commit()
    login_as(client, make_user())
    assert not _unread_marked(text(client.get("/forum/f/general")), "Ancient topic")
