"""Pelican settings for bench/run.py: articles from Markdown, actors, events and the
timeline from the kb_records plugin; no feeds, archives, tags, categories or authors.

bench/run.py copies this folder next to the converted content (content/articles/*.md
and records/{actors,events}/*.yaml) before it times anything.
"""

from pathlib import Path

_HERE = Path(__file__).resolve().parent

SITENAME = "Bench Brief"
SITEURL = "https://example.org/bench"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = str(_HERE / "theme")
THEME_STATIC_PATHS: list[str] = []
PLUGIN_PATHS = [str(_HERE / "plugins")]
PLUGINS = ["kb_records"]
KB_RECORDS = str(_HERE / "records")

ARTICLE_PATHS = ["articles"]
PAGE_PATHS: list[str] = []
STATIC_PATHS: list[str] = []
ARTICLE_URL = "articles/{slug}/"
ARTICLE_SAVE_AS = "articles/{slug}/index.html"
DIRECT_TEMPLATES = ["index"]
DEFAULT_PAGINATION = False
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None

ARCHIVES_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
PAGE_SAVE_AS = ""
