#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/), small valid and
near-valid inputs from which libFuzzer mutates. Run from anywhere; it rewrites the seeds it
owns (files named seed-*) and leaves any other file (e.g. a crash input kept as a regression
seed) alone. The seeds are committed: `make fuzz` does not run this.

    python3 tests/fuzz/make_seeds.py
"""
import gzip
import os
import pathlib
import shutil
import subprocess

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"


def write(target, seeds):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    for old in d.glob("seed-*"):
        old.unlink()
    for i, data in enumerate(seeds):
        if isinstance(data, str):
            data = data.encode()
        (d / f"seed-{i:02d}").write_bytes(data)


def zstd(data):
    # The zstd command line (Debian's zstd package); a frame with its content size.
    return subprocess.run(["zstd", "-q", "-c", "-3"], input=data, stdout=subprocess.PIPE, check=True).stdout


POST = ('{"id":"1460323737035677698","text":"Salut @marie_d #été https://example.com/a.","author_id":"12",'
        '"created_at":"2021-11-15T19:08:05.069Z","lang":"fr","public_metrics":{"retweet_count":1,"reply_count":2,'
        '"like_count":3,"quote_count":4,"bookmark_count":5,"impression_count":6},'
        '"edit_history_tweet_ids":["1460323737035677698"]}')
USER = ('{"id":"12","username":"marie_d","name":"Marie D.","description":"Journaliste","location":"Lyon",'
        '"url":"https://example.fr","created_at":"2020-01-02T03:04:05.000Z","verified_type":"business",'
        '"protected":true,"public_metrics":{"followers_count":10,"following_count":2,"tweet_count":3,'
        '"listed_count":4,"like_count":5},"labels":["government-funded"],"pinned_tweet_id":"99"}')
RESPONSE = ('{"data":[{"id":"1460323737035677700","text":"@marie_d oui !","author_id":"1460323737035677000",'
            '"in_reply_to_user_id":"12","referenced_tweets":[{"type":"replied_to","id":"1460323737035677698"}]}],'
            '"includes":{"users":[{"id":"12","username":"marie_d","name":"stale copy"},'
            '{"id":"77","username":"carol","name":"Carol"}],'
            '"tweets":[{"id":"500","text":"included $AAPL","author_id":"77","created_at":"2021-01-01T00:00:00Z"}]},'
            '"meta":{"result_count":1}}')

# import_fuzz: JSONL as an X API v2 client saved it (objects and whole responses).
write("import_fuzz", [
    USER + "\n" + POST + "\n",
    RESPONSE + "\n",
    POST,
    '{"id":"1","text":"a","author_id":"2"}\n{"id":"2","username":"b","name":"B"}\n',
    '{"data":{"id":"5","text":"single","author_id":"6"},"includes":{"users":[{"id":"6","username":"u","name":"U"}]}}\n',
    '\n\n' + USER + '\r\n',
    '{"id":"1","text":"no author"}\n',
    '{"id":"x","text":"bad id","author_id":"2"}\n',
    '{"id":"1","text":"a","author_id":"2","created_at":"not a time"}\n',
    '{"id":"1","text":"a","author_id":"2"',
    '[1,2,3]\n',
    '{"id":"1","text":"\\u00e9t\\u00e9 \\ud83d\\ude00","author_id":"2","lang":"fr","possibly_sensitive":false}\n',
])

# search_query_fuzz: the X search language (docs/api.md).
write("search_query_fuzz", [
    "#ia lang:fr -is:retweet",
    "the OR le OR la",
    "a -b (c OR d)",
    '"exact phrase" from:marie_d',
    "to:carol @marie_d has:links",
    "(cats OR dogs) -is:reply has:mentions",
    "$AAPL OR #été",
    "conversation_id:1460323737035677698",
    "is:quote OR is:reply lang:en",
    "url:example.com -has:media",
    "a OR",
    '(((a) b) "c d" -(e OR f))',
    b"a\xff",
    "party -has:media has:images OR (has:videos has:video_link -has:geo) -is:nullcast",
    'retweets_of:XDevelopers OR bio:"data scientist" OR place_country:us OR list:123',
    "point_radius:[-105.27346517 40.01924738 25mi] -point_radius:[2 48 40km] point_radius:[1 2",
    'context:10.799022225751871488 OR context:47.* entity:"Michael Jordan" entity:NASA',
    'love\U0001F600 \U0001F44D\U0001F3FD -\U0001F525 \U0001F468\u200D\U0001F469\u200D\U0001F467 '
    '\u2764\uFE0F OR \U0001F1EB\U0001F1F7\U0001F1E9 bio:\U0001F600 "I \u2764\uFE0F it"',
])

# params_fuzz: query strings of the read endpoints.
write("params_fuzz", [
    "ids=1460323737035677698,12&tweet.fields=created_at,author_id,entities&expansions=author_id",
    "query=%23ai+lang%3Afr&max_results=10",
    "max_results=100&pagination_token=7140abc123",
    "pagination_token=3140zz&start_time=2021-11-15T19:08:05Z",
    "start_time=2021-11-15T19:08:05.069Z&max_results=5",
    "tweet.fields=created_at,geo&user.fields=labels&expansions=author_id",
    "ids=3,1,3,2",
    "a=1&a=2",
    "ids=1&foo=bar",
    "max_results=5",
    "tweet.fields=&ids=%2C%2C",
    "ids=18446744073709551616&max_results=-1",
])

# config_fuzz: first byte even = the config file, odd = a plans file (config_fuzz.cc).
example = (ROOT / "config" / "sluice.example.toml").read_bytes()
plans = (ROOT / "config" / "plans.toml").read_bytes()
write("config_fuzz", [
    b"\x00" + example,
    b"\x01" + plans,
    b"\x00",
    b"\x00[server]\nlisten = \"127.0.0.1:0\"\nworkers = 2\n",
    b"\x00[server]\nlissen = \"127.0.0.1:8080\"\n",
    b"\x00[ledger]\nsegment_bytes = -1\n",
    b"\x00[traps]\nenabled = true\nevery_posts = 10\n",
    b"\x00[metering]\nenabled = false\n[log]\nlevel = \"debug\"\n",
    b"\x00store_url = \"sqlite:///tmp/x.db\"\nnode_id = 1023\n",
    b"\x00[server\n",
    b"\x01" + plans.split(b"\n\n")[0] + b"\n",
    b"\x01[plans.free]\nprice_usd = \"abc\"\n",
    b"\x01not = [toml\n",
    b"\x00[server]\nworkers = 4294967297\n",
    b"\x00[server]\nlisten = \"127.0.0.1:abc\"\n",
    b"\x00[server]\nlisten = \"[::1]:8080\"\n",
])

# parse_fuzz: integers, comma lists and listen addresses, each read by every parser.
write("parse_fuzz", [
    "0", "-7", "007", "-0", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
    "18446744073709551616", "12abc", " 5", "+5", "0x10", "a,,b", ",a,", "127.0.0.1:8080",
    "[::1]:8080", "127.0.0.1:abc", ":80", "localhost:8080", "127.0.0.1:70000", "[::ffff:1.2.3.4]:0",
])

# corpus_line_fuzz: lines of JSONL and CSV corpora.
write("corpus_line_fuzz", [
    '{"id":"1","text":"hello world"}\n{"text":"second","id":2}\n',
    '{"text":"esc \\"q\\" \\\\ \\n \\u00e9\\ud83d\\ude00","id":"x"}',
    '{"user":{"text":"nested"},"text":"top"}\n{"text":1}\n{"id":"1"}\n',
    '   {"text" : "spaced" , "id" : 12345678901234567890 }  \r',
    '{"text":"a"} {"text":"b"}\n[1]\n"text"\n',
    'id,text\n1,plain line\n2,"quoted, with comma"\n',
    '"multi\nline ""field""",x\n"open quote\n',
    'a,b,c\n,,\n"",""\n"bad"quote,1\n',
    b'\xef\xbb\xbf{"text":"bom"}\n',
    b'{"text":"\xff\xfe invalid utf8","id":null}\n',
    '{"text":"cut',
    '\n\n \t\n{}\n',
])

# corpus_reader_fuzz: first byte = format (jsonl, csv, txt) + 3 * encoding (plain, gzip here,
# zstd here, raw .gz, raw .zst) + 15 * whole_files (corpus_reader_fuzz.cc).
jsonl = b'{"id":"1","text":"hello world"}\n{"text":"second line","id":2}\nnot json\n\n{"text":"last"}'
csv = b'\xef\xbb\xbfid,text,lang\r\n1,"hello, world",en\r\n2,"multi\nline",fr\r\n3\r\n4,plain,en\n'
txt = b"first document\r\nsecond document\n\n   \nthird, no newline"


def choice(fmt, encoding, whole=0):
    return bytes([fmt + 3 * encoding + 15 * whole])


write("corpus_reader_fuzz", [
    choice(0, 0) + jsonl,
    choice(1, 0) + csv,
    choice(2, 0) + txt,
    choice(2, 0, 1) + txt,
    choice(0, 1) + jsonl,
    choice(1, 2) + csv,
    choice(2, 1, 1) + txt,
    choice(0, 3) + gzip.compress(jsonl, mtime=0),
    choice(1, 3) + gzip.compress(csv, mtime=0) + gzip.compress(b"5,second member,en\n", mtime=0),
    choice(2, 3) + gzip.compress(txt, mtime=0)[:-6],
    choice(0, 4) + zstd(jsonl),
    choice(2, 4) + zstd(txt) + zstd(b"second frame\n"),
    choice(1, 4) + zstd(csv) + b"\0\0\0\0",
    choice(1, 0) + b"id,body\n1,no text column\n",
])

# fingerprint_fuzz: post texts (case, accents, punctuation, URLs, mentions, emoji, scripts).
write("fingerprint_fuzz", [
    "Salut @marie_d #été https://example.com/a. On se voit à Lyon ?",
    "THE QUICK BROWN FOX jumps over the lazy dog, the quick brown fox!",
    "ﬁnancial ＦＵＬＬＷＩＤＴＨ Straße ǅ İstanbul",
    "emoji 😀👍🏽 flags 🇫🇷 zwj 👩‍💻 end",
    "中文字符 日本語のテキスト 한국어 텍스트 mixed with english words here",
    "line one\nline two\nline three with more words in it\n",
    "e\u0301te\u0301 cafe\u0301 combining marks",
    "RT @user: http://t.co/abc https://x.com/i/web/status/1 $AAPL #AI",
    "a",
    "",
    b"\xc3 lone lead byte and \xff\xfe bad bytes",
    "word " * 40,
])
write("oauth_client_fuzz", [
    "Basic bXklMjBpZDpzJTNBY3IrdA==",
    "basic YTpiOmM=",
    "Basic YWJjOg==",
    "Basic JXp6OmE=",
    "https://example.com:8443/a/b?x=1",
    "http://[::1]:9000/cb",
    "http://localhost/cb",
    "https://user@example.com/cb#frag",
])
# account_sessions_fuzz: a cookie name, a newline, then a Cookie header (also read as a session,
# a CSRF token, an assertion and a username).
write("compliance_ids_fuzz", [
    "1460323737035677698\n1460323737035677699\n",
    "1460323737035677698\r\n12\r\n\r\n",
    "12\n12\n\n13",
    "9223372036854775807\n",
    "9223372036854775808\n",
    "0\n",
    "12 \n",
    "abc\n",
    "",
])

write("content_range_fuzz", [
    "bytes 0-262143/*",
    "bytes 262144-524287/1000000",
    "bytes */1000000",
    "bytes */*",
    "Bytes 7-7/8",
    "bytes 5-4/*",
    "bytes 0-9/9",
    "bytes 0-999999999999999999/*",
    "bytes=0-1/2",
])

write("account_sessions_fuzz", [
    "sluice_session\nsluice_csrf=Zm9vYmFyYmF6cXV4cXV1eA; sluice_session=42.1700000000000.bWFj",
    "sluice_csrf\n a=1;b=2;  sluice_csrf=n0nce ;sluice_csrf=second",
    "\n=empty-name; ==; ;;",
    "x\nx",
    "42.1700000003600.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "c2hvcGtlZXBlcjoxNzAwMDAwMDYw.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "name\n@shop:keeper",
])
print("seeds written under", CORPUS)
